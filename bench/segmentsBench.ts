/**
 * `npm run bench:segments`: generates segments in a private Azurite, reads each through the segment
 * source and prints rows per second and peak RSS while reading. Memory must stay flat in segment
 * size (1,000,000 rows under 200 MB peak RSS).
 */
import { spawn } from 'node:child_process';
import { startAzurite } from '../dev/azurite';
import { generateSegment, type GenerateSegmentOptions } from '../dev/segmentGenerator';
import { loadConfig } from '../shared/config/config';
import { createStorageClients } from '../shared/storage/clients';
import { createSegmentSource } from '../shared/segments/blobSegmentSource';

interface BenchCase {
  name: string;
  rows: number;
  options: GenerateSegmentOptions;
}

const CASES: BenchCase[] = [
  { name: 'bench-250k-csv', rows: 250_000, options: { format: 'csv' } },
  { name: 'bench-250k-jsonl-gz', rows: 250_000, options: { format: 'jsonl', gzip: true, partitions: 2 } },
  { name: 'bench-1m-csv-gz', rows: 1_000_000, options: { format: 'csv', gzip: true, partitions: 4 } },
];

const MB = 1024 * 1024;
const RSS_LIMIT_MB = 200;

function sampler() {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  return {
    stop(): number {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

interface ReadFigures {
  rows: number;
  emailChars: number;
  seconds: number;
  cpuSeconds: number;
  baselineRssMb: number;
  peakRssMb: number;
}

function configFor(connectionString: string) {
  return loadConfig({
    AzureWebJobsStorage: connectionString,
    ROLLWORKS_CLIENT_ID: 'bench',
    SECRET_STORE: 'local',
    LOCAL_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
    AUTH_MODE: 'local',
    LOCAL_AUTH_JWKS_URI: 'http://127.0.0.1:1/jwks.json',
    PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
  });
}

/** Child process: reads one segment and prints its figures as JSON (a fresh process per segment). */
async function readOne(connectionString: string, segment: string): Promise<void> {
  const collect = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const config = configFor(connectionString);
  const storage = createStorageClients(config);
  const source = createSegmentSource(config, storage);
  storage.segmentsContainer(); // loads the storage SDK before the clock starts
  collect();
  const baseline = process.memoryUsage.rss();
  const memory = sampler();
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  let rows = 0;
  let emailChars = 0;
  for await (const batch of source.readField(segment, 'Email')) {
    rows += batch.rows.length;
    for (const value of batch.values) emailChars += value.length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const figures: ReadFigures = {
    rows,
    emailChars,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    baselineRssMb: baseline / MB,
    peakRssMb: memory.stop() / MB,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

function readInChild(connectionString: string, segment: string): Promise<ReadFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', __filename, '--read', segment], {
      env: { ...process.env, BENCH_STORAGE: connectionString },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`reading ${segment} failed (exit ${code})`));
      else resolve(JSON.parse(output.trim().split('\n').pop()!) as ReadFigures);
    });
  });
}

async function main(): Promise<void> {
  const azurite = await startAzurite();
  let failed = false;
  try {
    const config = configFor(azurite.connectionString);
    const container = createStorageClients(config).segmentsContainer();
    await container.createIfNotExists();
    console.log(
      'segment                   rows   gen s  read s  rows/s (wall)  rows/s (cpu)  RSS start  RSS peak',
    );
    for (const benchCase of CASES) {
      const generatedAt = Date.now();
      const generated = await generateSegment(container, benchCase.name, benchCase.rows, benchCase.options);
      const generateSeconds = (Date.now() - generatedAt) / 1000;
      const figures = await readInChild(azurite.connectionString, benchCase.name);
      console.log(
        [
          benchCase.name.padEnd(20),
          String(figures.rows).padStart(9),
          generateSeconds.toFixed(1).padStart(7),
          figures.seconds.toFixed(2).padStart(7),
          Math.round(figures.rows / figures.seconds)
            .toLocaleString('en-US')
            .padStart(14),
          Math.round(figures.rows / figures.cpuSeconds)
            .toLocaleString('en-US')
            .padStart(13),
          `${figures.baselineRssMb.toFixed(0)} MB`.padStart(10),
          `${figures.peakRssMb.toFixed(0)} MB`.padStart(9),
        ].join(' '),
      );
      if (figures.rows !== generated.rowCount || figures.emailChars === 0) {
        console.error(`  ${benchCase.name}: read ${figures.rows} rows, generated ${generated.rowCount}`);
        failed = true;
      }
      if (benchCase.rows >= 1_000_000 && figures.peakRssMb > RSS_LIMIT_MB) {
        console.error(
          `  ${benchCase.name}: peak RSS ${figures.peakRssMb.toFixed(0)} MB is over ${RSS_LIMIT_MB} MB`,
        );
        failed = true;
      }
    }
    console.log(
      'Each segment is read by a fresh process (RSS sampled every 50 ms); rows/s (cpu) = rows per second of its CPU time.',
    );
  } finally {
    await azurite.stop();
  }
  if (failed) process.exitCode = 1;
}

const entry =
  process.argv[2] === '--read' ? readOne(process.env.BENCH_STORAGE ?? '', process.argv[3]) : main();
entry.catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
