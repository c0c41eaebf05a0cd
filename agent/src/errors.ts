// AGT_ERR_* registry: one entry per expected failure of the agent. Codes are never reused.
// Add entries; never rename or delete one (other modules and docs refer to them): retire it.
// e2e/src/docs/error-registry.test.ts checks that every code the agent sends is here and every
// code here that is not retired is sent somewhere.

interface ErrorSpec {
  readonly message: string;
  /** A code the agent no longer sends, and why; kept so it is never reused. */
  readonly retired?: string;
}

export const AGENT_ERRORS = {
  AGT_ERR_NVML_LIB_MISSING: { message: 'the NVML library (libnvidia-ml.so.1) could not be loaded' },
  AGT_ERR_NVML_UNINITIALIZED: { message: 'NVML was not initialized' },
  AGT_ERR_NVML_INVALID_ARGUMENT: { message: 'NVML rejected an argument' },
  AGT_ERR_NVML_NOT_SUPPORTED: { message: 'the GPU or driver does not support this NVML query' },
  AGT_ERR_NVML_NO_PERMISSION: { message: 'NVML denied the query (permissions)' },
  AGT_ERR_NVML_ALREADY_INITIALIZED: { message: 'NVML was already initialized' },
  AGT_ERR_NVML_NOT_FOUND: { message: 'NVML did not find the requested object' },
  AGT_ERR_NVML_INSUFFICIENT_SIZE: { message: 'an NVML buffer was too small' },
  AGT_ERR_NVML_INSUFFICIENT_POWER: { message: 'a GPU reports insufficient external power' },
  AGT_ERR_NVML_DRIVER_NOT_LOADED: { message: 'the NVIDIA kernel driver is not loaded' },
  AGT_ERR_NVML_TIMEOUT: { message: 'an NVML call timed out' },
  AGT_ERR_NVML_IRQ_ISSUE: { message: 'the NVIDIA kernel driver reports an interrupt problem' },
  AGT_ERR_NVML_LIBRARY_NOT_FOUND: { message: 'NVML could not find a library it needs' },
  AGT_ERR_NVML_FUNCTION_NOT_FOUND: { message: 'this NVML version lacks the function' },
  AGT_ERR_NVML_CORRUPTED_INFOROM: { message: 'the GPU infoROM is corrupted' },
  AGT_ERR_NVML_GPU_IS_LOST: { message: 'the GPU has fallen off the bus or is otherwise inaccessible' },
  AGT_ERR_NVML_RESET_REQUIRED: { message: 'the GPU needs a reset' },
  AGT_ERR_NVML_OPERATING_SYSTEM: { message: 'the operating system blocked the NVML call' },
  AGT_ERR_NVML_LIB_RM_VERSION_MISMATCH: { message: 'NVML library and kernel driver versions differ' },
  AGT_ERR_NVML_IN_USE: { message: 'the GPU is in use' },
  AGT_ERR_NVML_MEMORY: { message: 'NVML ran out of memory' },
  AGT_ERR_NVML_NO_DATA: { message: 'NVML has no data' },
  AGT_ERR_NVML_VGPU_ECC_NOT_SUPPORTED: { message: 'ECC is not supported on this vGPU' },
  AGT_ERR_NVML_INSUFFICIENT_RESOURCES: { message: 'NVML has insufficient resources' },
  AGT_ERR_NVML_FREQ_NOT_SUPPORTED: { message: 'the frequency is not supported' },
  AGT_ERR_NVML_ARGUMENT_VERSION_MISMATCH: { message: 'an NVML struct version does not match the library' },
  AGT_ERR_NVML_DEPRECATED: { message: 'the NVML function is deprecated' },
  AGT_ERR_NVML_NOT_READY: { message: 'NVML is not ready' },
  AGT_ERR_NVML_GPU_NOT_FOUND: { message: 'NVML did not find the GPU' },
  AGT_ERR_NVML_INVALID_STATE: { message: 'NVML is in an invalid state' },
  AGT_ERR_NVML_UNKNOWN: { message: 'NVML returned an unknown error' },
  AGT_ERR_NVML_INIT_FAILED: {
    message: 'NVML initialization failed',
    retired: 'never sent: a failed nvmlInit is reported with the code of its NVML return value (e.g. AGT_ERR_NVML_DRIVER_NOT_LOADED)',
  },
  AGT_ERR_SMI_NOT_FOUND: { message: 'the nvidia-smi executable was not found' },
  AGT_ERR_SMI_TIMEOUT: { message: 'nvidia-smi did not answer in time' },
  AGT_ERR_SMI_EXITED: { message: 'nvidia-smi exited unexpectedly' },
  AGT_ERR_SMI_PARSE: { message: 'nvidia-smi output could not be parsed' },
  AGT_ERR_SMI_FORMAT_UNKNOWN: { message: 'the file is neither nvidia-smi XML nor nvidia-smi CSV' },
  AGT_ERR_REPLAY_NO_FILES: { message: 'the replay sampler has no usable recorded nvidia-smi files' },
  AGT_ERR_HOST_SAMPLE_FAILED: { message: 'host statistics could not be read' },
} as const satisfies Record<string, ErrorSpec>;

export type AgentErrorCode = keyof typeof AGENT_ERRORS;

/** An expected failure with a stable code; `detail` says what happened. */
export class AgentError extends Error {
  readonly code: AgentErrorCode;

  constructor(code: AgentErrorCode, detail?: string, opts: { cause?: unknown } = {}) {
    const spec = AGENT_ERRORS[code];
    super(detail === undefined ? spec.message : `${spec.message}: ${detail}`, { cause: opts.cause });
    this.name = 'AgentError';
    this.code = code;
  }
}

export function isAgentError(err: unknown): err is AgentError {
  return err instanceof AgentError;
}
