export { LocalFunctionsHost, startLocalFunctionsHost } from './host';
export type { HostDescription, HostSettings, LocalFunctionsHostOptions } from './host';
export { loadFunctionApp, installFunctionsCore, defaultFunctionFiles } from './loadFunctionApp';
export type { LoadedFunction, LoadFunctionAppOptions } from './loadFunctionApp';
export type { InvocationRecord, HostLog, HostLogLevel } from './invoker';
export type { QueueSettings } from './hostConfig';
