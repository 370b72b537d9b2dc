export { startSimulator, type RunningSimulator } from './server';
export {
  DEFAULT_CLIENT,
  DEMO_ADVERTISABLES,
  DEMO_ORGANIZATION,
  DEMO_USER,
  MIN_UNIQUE_EMAILS,
  type SimulatorClient,
  type SimulatorFaults,
  type SimulatorOptions,
  type SimulatorUser,
} from './options';
export { SimulatorState, type RequestLogEntry, type StoredAudience, type IssuedTokens } from './state';
