export interface EnqueueOptions {
  /** Re-run analysis of an analysed call; the previous analysis stays in history. */
  force?: boolean;
  /** Re-run analysis only, reusing the transcript (re-scoring after a checklist change). */
  analysisOnly?: boolean;
}

/** The seam through which sync, webhooks, uploads and the API hand calls to processing. */
export abstract class CallProcessingQueue {
  /** Queues the calls; a call already queued or being processed is not queued twice. Returns how many were queued. */
  abstract enqueue(callIds: number[], options?: EnqueueOptions): Promise<number>;
}
