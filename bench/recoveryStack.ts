// One local Functions host in a process of its own, for the recovery benchmark to kill: storage and
// RollWorks live in the benchmark's process, as they outlive a worker instance in Azure.
import { startLocalStack } from '../dev/localStack';

const [root, port] = process.argv.slice(2);
startLocalStack({ root, hostPort: Number(port), restoreEnvironment: false }).then(
  (stack) => process.stdout.write(`ready ${stack.urls.api}\n`),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
