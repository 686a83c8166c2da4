export async function packMap(_options: unknown): Promise<{ document: string; extracted: boolean }> {
  throw new Error('not yet');
}
