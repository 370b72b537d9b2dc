/** Where the demo writes: the process's stdout, or a buffer in tests. */
export interface DemoOutput {
  write(text: string): void;
  /** Redraw progress in place and use colors. */
  readonly isTTY: boolean;
}

export const stdoutOutput = (): DemoOutput => ({
  write: (text) => void process.stdout.write(text),
  isTTY: Boolean(process.stdout.isTTY),
});

/** Collects everything written (tests). */
export function bufferOutput(): DemoOutput & { text(): string } {
  const chunks: string[] = [];
  return { write: (text) => void chunks.push(text), isTTY: false, text: () => chunks.join('') };
}
