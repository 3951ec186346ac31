import { validateTranscript } from '../../src/integrations/transcription/transcript-validation';

const valid = () => ({
  text: 'Алло Да', language: 'ru', durationSec: 10, engine: 'faster-whisper', model: 'small', dropped: 0,
  channelLayout: 'stereo', sentSec: 6.4, requests: 2,
  segments: [
    { start: 0.5, end: 2, speaker: 'manager', text: 'Алло' },
    { start: 2.1, end: 10.3, speaker: 'client', text: 'Да' },
  ],
});

describe('validateTranscript', () => {
  it('accepts a well-formed result, allowing a segment to end slightly past the audio', () => {
    expect(validateTranscript(valid())).toEqual(valid());
  });

  it.each([
    ['segments out of order', (r: ReturnType<typeof valid>) => { r.segments.reverse(); }, 'segments[1] starts before segments[0]'],
    ['a segment past the end', (r: ReturnType<typeof valid>) => { r.segments[1].end = 11; }, 'past the audio duration'],
    ['a segment ending before it starts', (r: ReturnType<typeof valid>) => { r.segments[0].end = 0.1; }, 'ends (0.1) before it starts'],
    ['an unknown speaker', (r: ReturnType<typeof valid>) => { r.segments[0].speaker = 'operator'; }, '"operator" is not manager'],
    ['a missing text', (r: ReturnType<typeof valid>) => { delete (r as Partial<typeof r>).text; }, 'text is not a string'],
    ['a negative start', (r: ReturnType<typeof valid>) => { r.segments[0].start = -1; }, 'segments[0].start is not a non-negative number'],
    ['an unknown channel layout', (r: ReturnType<typeof valid>) => { r.channelLayout = 'quad'; }, 'channelLayout "quad" is not stereo'],
    ['a fractional request count', (r: ReturnType<typeof valid>) => { r.requests = 1.5; }, 'requests is not an integer'],
  ])('rejects %s', (_, spoil, reason) => {
    const result = valid();
    spoil(result);
    expect(() => validateTranscript(result)).toThrow(expect.objectContaining({ failure: 'bad_response', message: expect.stringContaining(reason) }));
  });
});
