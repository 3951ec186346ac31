import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Semaphore } from './semaphore';

/** Per-stage concurrency in this process: downloads, recognition and the LLM cost very different amounts. */
@Injectable()
export class PipelineLimits {
  readonly download: Semaphore;
  readonly transcription: Semaphore;
  readonly analysis: Semaphore;
  readonly dataDir: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { downloadConcurrency, transcribeConcurrency, analysisConcurrency } = config.pipeline;
    this.download = new Semaphore(downloadConcurrency);
    this.transcription = new Semaphore(transcribeConcurrency);
    this.analysis = new Semaphore(analysisConcurrency);
    this.dataDir = config.dataDir;
  }

  /** Jobs a process holds at once: enough for every stage to be busy while others wait their turn. */
  static jobSlots(config: AppConfig): number {
    const { downloadConcurrency, transcribeConcurrency, analysisConcurrency } = config.pipeline;
    return downloadConcurrency + transcribeConcurrency + analysisConcurrency;
  }
}
