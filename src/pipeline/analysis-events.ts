import { Injectable, Logger } from '@nestjs/common';

/** "A call (or chat) was analysed": what alerts, rollups and CRM write-back attach to. */
export interface AnalysedEvent {
  kind: 'call' | 'chat';
  subjectId: number;
  analysisId: number;
  version: number;
}

export type AnalysedHandler = (event: AnalysedEvent) => Promise<void>;

/**
 * In-process fan-out of the "analysed" event. The pipeline publishes once per analysis version and
 * marks the analysis published afterwards, so a crash in between publishes again: handlers must be
 * idempotent (notifications carry a dedupe key per analysis).
 */
@Injectable()
export class AnalysisEvents {
  private readonly logger = new Logger(AnalysisEvents.name);
  private readonly handlers: { name: string; handle: AnalysedHandler }[] = [];

  onAnalysed(name: string, handle: AnalysedHandler): void {
    this.handlers.push({ name, handle });
  }

  /** Runs every handler; one failing handler does not stop the others. Returns the names that failed. */
  async publish(event: AnalysedEvent): Promise<string[]> {
    const failed: string[] = [];
    for (const { name, handle } of this.handlers) {
      await handle(event).catch((error: Error) => {
        failed.push(name);
        this.logger.error(`${name} failed for ${event.kind} ${event.subjectId} analysis ${event.analysisId}: ${error.message}`);
      });
    }
    return failed;
  }
}
