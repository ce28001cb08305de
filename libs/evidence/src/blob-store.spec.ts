import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { checkContent, EvidenceCorruptedError, VerifyingStream } from './blob-store';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** What a reader of the verifying stream receives before it ends or fails. */
async function readThrough(
  chunks: Buffer[],
  digest: string,
  size: number,
): Promise<{ received: Buffer; error?: unknown }> {
  const received: Buffer[] = [];
  const verifier = Readable.from(chunks).pipe(new VerifyingStream(digest, size));
  try {
    for await (const chunk of verifier) received.push(chunk as Buffer);
    return { received: Buffer.concat(received) };
  } catch (error) {
    return { received: Buffer.concat(received), error };
  }
}

describe('VerifyingStream', () => {
  const content = [Buffer.from('第一段'), Buffer.from('第二段'), Buffer.from('第三段')];
  const whole = Buffer.concat(content);

  it('passes intact content through whole', async () => {
    const { received, error } = await readThrough(content, sha(whole), whole.length);
    expect(error).toBeUndefined();
    expect(received).toEqual(whole);
  });

  it('never releases the last chunk of altered content, and fails naming the digest', async () => {
    const altered = [content[0], content[1], Buffer.from('第三改')];
    const { received, error } = await readThrough(altered, sha(whole), whole.length);
    expect(error).toBeInstanceOf(EvidenceCorruptedError);
    expect((error as Error).message).toContain(sha(whole));
    expect(received.length).toBeLessThan(whole.length);
  });

  it('fails on content shorter or longer than recorded', async () => {
    const short = await readThrough(content.slice(0, 2), sha(whole), whole.length);
    expect((short.error as Error).message).toMatch(/bytes where 27 were recorded/);
    const long = await readThrough([...content, Buffer.from('x')], sha(whole), whole.length);
    expect((long.error as Error).message).toMatch(/longer than the recorded 27 bytes/);
  });

  it('holds a one-chunk file back entirely until it is verified', async () => {
    const { received, error } = await readThrough([Buffer.from('abc')], sha(whole), 3);
    expect(error).toBeInstanceOf(EvidenceCorruptedError);
    expect(received.length).toBe(0);
  });
});

describe('checkContent', () => {
  it('resolves for intact content and rejects altered content', async () => {
    const b = Buffer.from('整改完成');
    await expect(
      checkContent(Readable.from([b]), { sha256: sha(b), size: b.length }),
    ).resolves.toBe(undefined);
    await expect(
      checkContent(Readable.from([Buffer.from('整改未完')]), { sha256: sha(b), size: b.length }),
    ).rejects.toBeInstanceOf(EvidenceCorruptedError);
  });
});
