import { BackgroundWork } from '../../src/common/background-work';

describe('BackgroundWork', () => {
  it('waits for every piece of work, failed ones included, and hands each back unchanged', async () => {
    const background = new BackgroundWork();
    const finished: string[] = [];
    const slow = new Promise<string>((resolve) => setTimeout(() => { finished.push('slow'); resolve('done'); }, 30));
    const failing = new Promise<never>((_, reject) => setTimeout(() => { finished.push('failing'); reject(new Error('boom')); }, 10));
    expect(background.add(slow)).toBe(slow);
    background.add(failing);
    await background.settled();
    expect(finished.sort()).toEqual(['failing', 'slow']);
    await expect(slow).resolves.toBe('done');
  });
});
