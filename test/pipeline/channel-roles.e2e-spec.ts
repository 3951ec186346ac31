import request from 'supertest';
import { Call } from '../../src/calls/entities/call.entity';
import { channelRoles } from '../../src/pipeline/stages/transcription.stage';
import { defaultSettings } from '../../src/settings/settings.defaults';
import { SettingsService } from '../../src/settings/settings.service';
import { addCall } from '../support/fixtures';
import { PipelineTestApp, RecordingHost, sampleWav, startPipelineApp, startRecordingHost, waitForCall } from './pipeline-support';

describe('which channel carries the employee', () => {
  describe('channelRoles', () => {
    const settings = defaultSettings();
    const roles = (call: Partial<Call>) => channelRoles({ source: 'upload', direction: 'incoming', employeeChannel: null, ...call }, settings);

    it('puts the caller on the left for Bitrix24 telephony, and the employee on the left for other telephony', () => {
      expect(roles({ source: 'bitrix', direction: 'incoming' })).toEqual({ mono: false, managerChannel: 1 });
      expect(roles({ source: 'bitrix', direction: 'outgoing' })).toEqual({ mono: false, managerChannel: 0 });
      expect(roles({ source: 'bitrix', direction: 'callback' })).toEqual({ mono: false, managerChannel: 0 });
      expect(roles({ source: 'upload', direction: 'incoming' })).toEqual({ mono: false, managerChannel: 0 });
      expect(roles({ source: 'webhook', direction: 'incoming' })).toEqual({ mono: false, managerChannel: 0 });
    });

    it('lets a call name its own channel over the setting', () => {
      expect(roles({ source: 'bitrix', direction: 'outgoing', employeeChannel: 'right' })).toEqual({ mono: false, managerChannel: 1 });
      expect(roles({ employeeChannel: 'mono' })).toEqual({ mono: true });
    });
  });

  describe('through the pipeline', () => {
    let host: RecordingHost;
    let t: PipelineTestApp;

    beforeAll(async () => {
      host = await startRecordingHost({ '/stereo.wav': { body: sampleWav(25, 2) } });
      t = await startPipelineApp();
    });

    afterAll(async () => {
      await t.close();
      await host.close();
    });

    const settings = () => t.app.get(SettingsService);
    const recognised = () => t.transcriber.requests.at(-1);

    async function upload(fields: Record<string, string> = {}): Promise<Call> {
      let form = request(t.server).post('/api/calls/upload').field('managerName', 'Анна');
      for (const [name, value] of Object.entries(fields)) form = form.field(name, value);
      const reply = await form.attach('file', sampleWav(25, 2), 'call.wav').expect(202);
      return waitForCall(t.dataSource, reply.body.id);
    }

    async function processed(fields: Partial<Call>): Promise<Call> {
      const call = await addCall(t.dataSource, { recordSourceUrl: `${host.url}/stereo.wav`, durationSec: 25, ...fields });
      await request(t.server).post(`/api/calls/${call.id}/process`).send({}).expect(202);
      return waitForCall(t.dataSource, call.id);
    }

    it('takes an upload without direction or channel to have the employee on the left', async () => {
      const call = await upload();

      expect(call).toMatchObject({ status: 'analyzed', direction: 'incoming', employeeChannel: null });
      expect(recognised()).toMatchObject({ channels: 2, managerChannel: 0 });
    });

    it('follows the employeeChannel of an upload: right, or mono for one mix of both', async () => {
      expect(await upload({ employeeChannel: 'right' })).toMatchObject({ status: 'analyzed', employeeChannel: 'right' });
      expect(recognised()).toMatchObject({ channels: 2, managerChannel: 1 });

      expect(await upload({ employeeChannel: 'mono' })).toMatchObject({ status: 'analyzed', employeeChannel: 'mono' });
      expect(recognised()).toMatchObject({ channels: 1 });
      const details = (await request(t.server).get(`/api/calls/${(await t.dataSource.getRepository(Call).findOneByOrFail({ employeeChannel: 'mono' })).id}`).expect(200)).body;
      expect(details).toMatchObject({ employeeChannel: 'mono', audioChannels: 2 });
    });

    it('refuses an employeeChannel it cannot mean with a 400 naming it, storing nothing', async () => {
      const calls = await t.dataSource.getRepository(Call).count();
      const reply = await request(t.server).post('/api/calls/upload').field('managerName', 'Анна').field('employeeChannel', 'both')
        .attach('file', sampleWav(25, 2), 'call.wav').expect(400);

      expect(reply.body.message).toContain('employeeChannel');
      expect(await t.dataSource.getRepository(Call).count()).toBe(calls);
    });

    it('maps each source by its setting', async () => {
      expect(await processed({ source: 'bitrix', direction: 'incoming' })).toMatchObject({ status: 'analyzed' });
      expect(recognised()).toMatchObject({ managerChannel: 1 });

      await settings().update({ transcription: { employeeChannel: { bitrix: 'left', webhook: 'right' } } }, 'test');
      try {
        await processed({ source: 'bitrix', direction: 'incoming' });
        expect(recognised()).toMatchObject({ managerChannel: 0 });
        await processed({ source: 'webhook', direction: 'outgoing' });
        expect(recognised()).toMatchObject({ managerChannel: 1 });
        await processed({ source: 'webhook', direction: 'outgoing', employeeChannel: 'left' });
        expect(recognised()).toMatchObject({ managerChannel: 0 });
      } finally {
        await settings().update({ transcription: { employeeChannel: { bitrix: 'caller_left', webhook: 'left' } } }, 'test');
      }
    });

    it('validates the mapping settings and names a bad key', async () => {
      const reply = await request(t.server).patch('/api/settings').send({ transcription: { employeeChannel: { upload: 'middle' } } }).expect(400);
      expect(reply.body.message).toContain('transcription.employeeChannel.upload');

      const saved = await request(t.server).patch('/api/settings').send({ transcription: { autoSwapRoles: true } }).expect(200);
      expect(saved.body.transcription).toEqual({ employeeChannel: { bitrix: 'caller_left', upload: 'left', webhook: 'left' }, autoSwapRoles: true });
      await settings().update({ transcription: { autoSwapRoles: false } }, 'test');
    });
  });
});
