import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ip = (...args: string[]) => run('ip', args);

/** Our namespaces are named after the test process that made them. */
const PREFIX = 'mindtest-';

/**
 * A test host of our own: a network namespace joined to this one by a veth pair, on a TEST-NET-2
 * address pair (RFC 5737). Its address on this side is one Firefox pairs with (Firefox leaves out
 * loopback, so a media node on 127.0.0.1 is out of its reach). Needs root, as CI has.
 */
export class TestNetwork {
  private constructor(
    private readonly namespace: string,
    /** This side's address: where a media node listens for Firefox. */
    readonly address: string,
  ) {}

  static async create(): Promise<TestNetwork> {
    await removeLeftovers();
    const namespace = `${PREFIX}${process.pid}`;
    const octet = 4 * (process.pid % 60);
    const [here, there] = [`198.51.100.${octet + 1}`, `198.51.100.${octet + 2}`];
    const [outside, inside] = [`mv${process.pid}a`, `mv${process.pid}b`];
    await ip('netns', 'add', namespace);
    const network = new TestNetwork(namespace, here);
    try {
      await ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
      await ip('link', 'set', inside, 'netns', namespace);
      await ip('addr', 'add', `${here}/30`, 'dev', outside);
      await ip('link', 'set', outside, 'up');
      await ip('-n', namespace, 'addr', 'add', `${there}/30`, 'dev', inside);
      await ip('-n', namespace, 'link', 'set', inside, 'up');
    } catch (error) {
      await network.close();
      throw error;
    }
    return network;
  }

  /** Removes the namespace, and the veth pair with it. */
  async close(): Promise<void> {
    await ip('netns', 'del', this.namespace).catch(() => undefined);
  }
}

/** Namespaces of test processes that died before removing theirs. */
async function removeLeftovers() {
  const { stdout } = await ip('netns', 'list');
  for (const name of stdout.split('\n').map((line) => line.split(' ')[0])) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length));
    if (pid === process.pid || alive(pid)) continue;
    await ip('netns', 'del', name).catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
