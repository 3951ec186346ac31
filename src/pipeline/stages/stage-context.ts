import type { Call } from '../../calls/entities/call.entity';
import type { Settings } from '../../settings/settings.types';
import type { CallStatus } from '../../calls/entities/call.entity';
import type { CallStateStore, StageName } from '../call-state.store';

export interface StageContext {
  call: Call;
  attempt: number;
  settings: Settings;
  jobId: string;
  force: boolean;
}

/**
 * Runs one stage attempt and records it in `call_stages`: started, then succeeded or failed with the reason.
 * Called once the stage's slot is held, so the history shows when the work began, not when it was queued.
 */
export async function recordStage<T>(
  state: CallStateStore,
  context: StageContext,
  stage: StageName,
  shown: { status: CallStatus; reason: string },
  work: () => Promise<T>,
): Promise<T> {
  const stageId = await state.stageStarted(context.call.id, stage, context.attempt, shown);
  try {
    const result = await work();
    await state.stageFinished(stageId);
    return result;
  } catch (error) {
    await state.stageFinished(stageId, error instanceof Error ? error.message.slice(0, 2000) : String(error));
    throw error;
  }
}
