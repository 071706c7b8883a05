export { startSimulator } from './simulator.ts';
export type { Simulator, SimulatorOptions } from './simulator.ts';
export type { ServerSnapshot, SimulatorAdmin } from './admin/admin.ts';
export type { Fault, FaultSpec } from './admin/faults.ts';
export type { AccessRule } from './auth/credentials.ts';
export type { InstallRequestRecord, WrittenImage } from './state.ts';
export type { ApiExchange } from './http/handler.ts';
export {
  DEFAULT_FIXTURES,
  DEFAULT_SERVER,
  ERROR_SERVER,
  LEGACY_SERVER,
  SMALL_DISK_SERVER,
  SMALL_RAM_SERVER,
  generateServers,
} from './fixtures.ts';
export type { ServerFixture, DiskGroupFixture, UnitAndValue } from './fixtures.ts';
export { RESERVED_RAM_BYTES, imageLimitBytes, targetDisk } from './install/hardware.ts';
export { BYOI_STEPS, TEMPLATE_STEPS } from './install/steps.ts';
export { TEMPLATES, BYOI_TEMPLATE } from './ovh/templates.ts';
