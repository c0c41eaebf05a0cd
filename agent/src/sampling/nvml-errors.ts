// NVML return codes (nvml.h `nvmlReturn_t`) → typed errors of the AGT_ERR_* registry.
import { AgentError, type AgentErrorCode } from '../errors.js';

export const NVML_SUCCESS = 0;
export const NVML_ERROR_NOT_SUPPORTED = 3;
export const NVML_ERROR_NOT_FOUND = 6;
export const NVML_ERROR_INSUFFICIENT_SIZE = 7;
export const NVML_ERROR_TIMEOUT = 10;
export const NVML_ERROR_FUNCTION_NOT_FOUND = 13;
export const NVML_ERROR_GPU_IS_LOST = 15;

const CODES: Readonly<Record<number, { name: string; code: AgentErrorCode }>> = {
  1: { name: 'NVML_ERROR_UNINITIALIZED', code: 'AGT_ERR_NVML_UNINITIALIZED' },
  2: { name: 'NVML_ERROR_INVALID_ARGUMENT', code: 'AGT_ERR_NVML_INVALID_ARGUMENT' },
  3: { name: 'NVML_ERROR_NOT_SUPPORTED', code: 'AGT_ERR_NVML_NOT_SUPPORTED' },
  4: { name: 'NVML_ERROR_NO_PERMISSION', code: 'AGT_ERR_NVML_NO_PERMISSION' },
  5: { name: 'NVML_ERROR_ALREADY_INITIALIZED', code: 'AGT_ERR_NVML_ALREADY_INITIALIZED' },
  6: { name: 'NVML_ERROR_NOT_FOUND', code: 'AGT_ERR_NVML_NOT_FOUND' },
  7: { name: 'NVML_ERROR_INSUFFICIENT_SIZE', code: 'AGT_ERR_NVML_INSUFFICIENT_SIZE' },
  8: { name: 'NVML_ERROR_INSUFFICIENT_POWER', code: 'AGT_ERR_NVML_INSUFFICIENT_POWER' },
  9: { name: 'NVML_ERROR_DRIVER_NOT_LOADED', code: 'AGT_ERR_NVML_DRIVER_NOT_LOADED' },
  10: { name: 'NVML_ERROR_TIMEOUT', code: 'AGT_ERR_NVML_TIMEOUT' },
  11: { name: 'NVML_ERROR_IRQ_ISSUE', code: 'AGT_ERR_NVML_IRQ_ISSUE' },
  12: { name: 'NVML_ERROR_LIBRARY_NOT_FOUND', code: 'AGT_ERR_NVML_LIBRARY_NOT_FOUND' },
  13: { name: 'NVML_ERROR_FUNCTION_NOT_FOUND', code: 'AGT_ERR_NVML_FUNCTION_NOT_FOUND' },
  14: { name: 'NVML_ERROR_CORRUPTED_INFOROM', code: 'AGT_ERR_NVML_CORRUPTED_INFOROM' },
  15: { name: 'NVML_ERROR_GPU_IS_LOST', code: 'AGT_ERR_NVML_GPU_IS_LOST' },
  16: { name: 'NVML_ERROR_RESET_REQUIRED', code: 'AGT_ERR_NVML_RESET_REQUIRED' },
  17: { name: 'NVML_ERROR_OPERATING_SYSTEM', code: 'AGT_ERR_NVML_OPERATING_SYSTEM' },
  18: { name: 'NVML_ERROR_LIB_RM_VERSION_MISMATCH', code: 'AGT_ERR_NVML_LIB_RM_VERSION_MISMATCH' },
  19: { name: 'NVML_ERROR_IN_USE', code: 'AGT_ERR_NVML_IN_USE' },
  20: { name: 'NVML_ERROR_MEMORY', code: 'AGT_ERR_NVML_MEMORY' },
  21: { name: 'NVML_ERROR_NO_DATA', code: 'AGT_ERR_NVML_NO_DATA' },
  22: { name: 'NVML_ERROR_VGPU_ECC_NOT_SUPPORTED', code: 'AGT_ERR_NVML_VGPU_ECC_NOT_SUPPORTED' },
  23: { name: 'NVML_ERROR_INSUFFICIENT_RESOURCES', code: 'AGT_ERR_NVML_INSUFFICIENT_RESOURCES' },
  24: { name: 'NVML_ERROR_FREQ_NOT_SUPPORTED', code: 'AGT_ERR_NVML_FREQ_NOT_SUPPORTED' },
  25: { name: 'NVML_ERROR_ARGUMENT_VERSION_MISMATCH', code: 'AGT_ERR_NVML_ARGUMENT_VERSION_MISMATCH' },
  26: { name: 'NVML_ERROR_DEPRECATED', code: 'AGT_ERR_NVML_DEPRECATED' },
  27: { name: 'NVML_ERROR_NOT_READY', code: 'AGT_ERR_NVML_NOT_READY' },
  28: { name: 'NVML_ERROR_GPU_NOT_FOUND', code: 'AGT_ERR_NVML_GPU_NOT_FOUND' },
  29: { name: 'NVML_ERROR_INVALID_STATE', code: 'AGT_ERR_NVML_INVALID_STATE' },
};

/** An NVML call that returned something other than NVML_SUCCESS. */
export class NvmlError extends AgentError {
  /** The raw `nvmlReturn_t`. */
  readonly nvmlReturn: number;
  readonly nvmlName: string;
  /** The NVML function that returned it. */
  readonly fn: string;

  constructor(fn: string, rc: number) {
    const known = CODES[rc];
    super(known?.code ?? 'AGT_ERR_NVML_UNKNOWN', `${fn} returned ${known?.name ?? `NVML_ERROR_UNKNOWN (${rc})`}`);
    this.name = 'NvmlError';
    this.nvmlReturn = rc;
    this.nvmlName = known?.name ?? 'NVML_ERROR_UNKNOWN';
    this.fn = fn;
  }
}

/** Return codes after which the GPU is gone until reset/reboot: reported as a `lost` status. */
export function isGpuLostReturn(rc: number): boolean {
  return rc === NVML_ERROR_GPU_IS_LOST || rc === 16 || rc === 28;
}

/** Return codes that mean "this value does not exist here": the field is absent, not an error. */
export function isAbsentReturn(rc: number): boolean {
  return rc === NVML_ERROR_NOT_SUPPORTED || rc === NVML_ERROR_FUNCTION_NOT_FOUND || rc === 21 || rc === 26;
}
