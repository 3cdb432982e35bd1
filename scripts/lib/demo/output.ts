// The demo's terminal output: every line starts with a fixed-width, optionally colored
// "[name]" prefix, so the interleaved logs of the children stay readable.

const WIDTH = '[legacy] '.length;
const COLORS: Record<string, number> = { legacy: 33, users: 32, orders: 34, proxy: 36, demo: 35 };

export class Output {
  constructor(private readonly color: boolean) {}

  prefix(name: string): string {
    const label = `[${name}]`;
    const padding = ' '.repeat(Math.max(1, WIDTH - label.length));
    const code = COLORS[name];
    return this.color && code !== undefined ? `\x1b[${code}m${label}\x1b[0m${padding}` : `${label}${padding}`;
  }

  line(name: string, text: string, stream: NodeJS.WritableStream = process.stdout): void {
    stream.write(`${this.prefix(name)}${text}\n`);
  }

  /** The demo's own messages. */
  say(text: string): void {
    this.line('demo', text);
  }
}

/** Color only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function wantsColor(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  return isTTY && !env.NO_COLOR;
}
