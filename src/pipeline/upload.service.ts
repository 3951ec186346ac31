import { BadRequestException, Inject, Injectable, UnprocessableEntityException, UnsupportedMediaTypeException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { open, rm } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import { Call } from '../calls/entities/call.entity';
import { createValidationPipe } from '../common/validation';
import { Employee } from '../employees/employee.entity';
import { AudioInfo, AudioPreparer } from './audio/audio-preparer';
import { CallProcessingQueue } from './call-processing-queue';
import { UploadCallDto, UploadedCallDto } from './dto/upload.dto';
import { describeNonAudio, detectAudioType } from './recording/audio-signature';
import { RecordingStore } from './recording/recording-store';

/** A call from any telephony: an uploaded recording with its metadata, processed like the rest. */
@Injectable()
export class UploadService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: RecordingStore,
    private readonly audio: AudioPreparer,
    @Inject(CallProcessingQueue) private readonly queue: CallProcessingQueue,
  ) {}

  /** Takes ownership of the uploaded temporary file: it is kept as the recording or removed. */
  async accept(file: Express.Multer.File | undefined, body: Record<string, unknown>): Promise<UploadedCallDto> {
    if (!file) throw new BadRequestException('file: an audio file is required (multipart field "file")');
    try {
      const fields = await validFields(body);
      const { type, info } = await this.audioType(file);
      const call = await this.createCall(fields, file, type.mime, info);
      call.recordingPath = await this.store.adopt(file.path, call.id, type.extension);
      await this.dataSource.getRepository(Call).update(call.id, { recordingPath: call.recordingPath });
      await this.queue.enqueue([call.id]);
      const now = await this.dataSource.getRepository(Call).findOneByOrFail({ id: call.id });
      return { id: now.id, source: 'upload', status: now.status, statusReason: now.statusReason, employeeId: now.employeeId, recordingBytes: file.size, recordingMime: type.mime };
    } finally {
      await rm(file.path, { force: true });
    }
  }

  private async audioType(file: Express.Multer.File) {
    if (file.size === 0) throw new BadRequestException('file: the uploaded file is empty');
    const head = await readHead(file.path);
    const type = detectAudioType(head);
    if (!type) throw new UnsupportedMediaTypeException(`file: expected an mp3, wav, ogg, webm, m4a or flac recording, got ${describeNonAudio(head, file.mimetype)}`);
    const info = await this.audio.probe(file.path).catch(() => {
      throw new UnprocessableEntityException('file: the recording cannot be decoded as audio');
    });
    return { type, info };
  }

  private async createCall(fields: UploadCallDto, file: Express.Multer.File, mime: string, info: AudioInfo): Promise<Call> {
    const employee = await this.dataSource.getRepository(Employee).createQueryBuilder('e')
      .where('lower(e.name) = lower(:name)', { name: fields.managerName.trim() }).orderBy('e.id').getOne();
    return this.dataSource.getRepository(Call).save({
      source: 'upload',
      direction: fields.direction ?? 'incoming',
      startedAt: fields.startedAt ? new Date(fields.startedAt) : new Date(),
      durationSec: Math.round(info.durationSec),
      audioDurationSec: info.durationSec,
      audioChannels: info.channels,
      employeeChannel: fields.employeeChannel ?? null,
      managerName: fields.managerName.trim(),
      clientPhone: fields.clientPhone?.trim() || null,
      employeeId: employee?.id ?? null,
      status: 'new',
      recordingBytes: file.size,
      recordingMime: mime,
    });
  }
}

/** The form fields, checked like any body: the route takes the raw fields to remove the file whatever happens. */
const validation = createValidationPipe();

async function validFields(body: Record<string, unknown>): Promise<UploadCallDto> {
  return (await validation.transform(body, { type: 'body', metatype: UploadCallDto })) as UploadCallDto;
}

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(64);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
