/*
 * fake-nvml.c: a stand-in libnvidia-ml.so for tests and benchmarks, driven by a JSON scenario.
 *
 * The agent's real NVML FFI code (agent/src/sampling/nvml-*.ts) is loaded against this library.
 * It implements only the functions the agent calls, with NVML's signatures and return codes.
 *
 * Scenario: the file named by FAKE_NVML_SCENARIO is read at nvmlInit (0 -> 1 init count).
 *   {
 *     "driver_version": "590.48.01", "cuda_version": 13010, "init_error": 0,
 *     "tick_ms": 0,                 // > 0: the tick advances with time; else fakeNvmlSetTick()
 *     "gpus": [{
 *       "name": "...", "uuid": "GPU-...", "pci_bus_id": "00000000:01:00.0",
 *       "memory_total_mib": 81559, "memory_reserved_mib": 479, "memory_used_mib": [0, 19818],
 *       "utilization_gpu": [0, 100], "utilization_memory": 11, "temperature": [41, 59],
 *       "power_mw": 631950, "power_limit_mw": 700000, "energy_mj": [1000, 2000],
 *       "sm_clock": 1980, "sm_clock_max": 1980, "mem_clock": 2619, "mem_clock_max": 2619,
 *       "reasons": [1, 0, 64], "fan": 30, "pcie_tx_kbs": 10, "pcie_rx_kbs": 20,
 *       "ecc_corrected": 0, "ecc_uncorrected": 0, "violation_power_ns": 0, "violation_thermal_ns": 0,
 *       "mig_mode": 0, "mig_devices": [{"gpu_instance_id": 1, "compute_instance_id": 0,
 *                                       "memory_used_mib": 12, "memory_total_mib": 19968}],
 *       "processes": [{"pid": 1234, "used_mib": 4000}],
 *       "not_supported": ["fan", "ecc", "energy", "pcie", "processes", "memory_v2", "reasons",
 *                         "violation", "power", "utilization", "mig", "temperature"],
 *       "lost_at_tick": 3, "recover_at_tick": 6,
 *       "xids": [{"tick": 2, "xid": 79}],
 *       "pstate": [8, 0], "compute_mode": 0, "minor_number": 0,
 *       "graphics_clock": 1980, "graphics_clock_max": 1980, "video_clock": 1755,
 *       "enc_util": 0, "dec_util": 12, "pcie_replay": 0,
 *       "remapped_corr": 0, "remapped_unc": 0, "remap_pending": 0, "remap_failure": 0,
 *       "ecc_corrected_aggregate": 3, "ecc_uncorrected_aggregate": 0,
 *       "fabric_state": 3,          // nvmlDeviceGetGpuFabricInfo; absent = NOT_SUPPORTED (no NVLink fabric)
 *       "fields": {"82": 45, "74": [0, 5000000], "230": 0},  // nvmlDeviceGetFieldValues by field id
 *       "nvlink_links": 18          // nvmlDeviceGetNvLinkState: links 0..n-1 active; absent = no NVLink
 *     }]
 *   }
 * Features for "not_supported" also: "pstate", "compute_mode", "encoder", "decoder", "pcie_replay",
 * "remapped_rows", "fields" (the whole call), "video_clock"; a field id absent from "fields" answers
 * NOT_SUPPORTED in that value's nvmlReturn, as the real library does per field.
 * A number field may be an array: the value at tick t is a[t % length].
 * GPM (nvmlGpm*): "gpm": {"<metric id>": …} on a GPU or MIG device, see the GPM section below.
 * Extra exports for tests: fakeNvmlSetTick(unsigned), fakeNvmlCallCount(), fakeNvmlGpmSamplesAllocated().
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- NVML return codes and types (nvml.h) ---- */
enum {
  OK = 0, ERR_UNINITIALIZED = 1, ERR_INVALID_ARGUMENT = 2, ERR_NOT_SUPPORTED = 3, ERR_NOT_FOUND = 6,
  ERR_INSUFFICIENT_SIZE = 7, ERR_DRIVER_NOT_LOADED = 9, ERR_TIMEOUT = 10, ERR_GPU_IS_LOST = 15,
  ERR_ARGUMENT_VERSION_MISMATCH = 25, ERR_UNKNOWN = 999
};
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int version; unsigned long long total, reserved, free, used; } nvmlMemory_v2_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct {
  char busIdLegacy[16]; unsigned int domain, bus, device, pciDeviceId, pciSubSystemId; char busId[32];
} nvmlPciInfo_t;
typedef struct { unsigned int pid; unsigned long long usedGpuMemory; unsigned int gpuInstanceId, computeInstanceId; } nvmlProcessInfo_t;
typedef struct { unsigned long long referenceTime, violationTime; } nvmlViolationTime_t;
typedef struct fake_dev *nvmlDevice_t;
typedef struct {
  nvmlDevice_t device; unsigned long long eventType, eventData; unsigned int gpuInstanceId, computeInstanceId;
} nvmlEventData_t;
typedef struct fake_set *nvmlEventSet_t;

/* ---- a tiny JSON DOM ---- */
typedef enum { J_NULL, J_NUM, J_STR, J_ARR, J_OBJ, J_BOOL } jtype;
typedef struct jval {
  jtype t; double num; char *str; struct jval **items; char **keys; int n;
} jval;

static const char *jp;
static void jws(void) { while (*jp && isspace((unsigned char)*jp)) jp++; }
static jval *jnew(jtype t) { jval *v = calloc(1, sizeof *v); v->t = t; return v; }
static jval *jparse(void);
static char *jstring(void) {
  /* jp at opening quote */
  jp++;
  char *out = malloc(strlen(jp) + 1); int k = 0;
  while (*jp && *jp != '"') {
    if (*jp == '\\' && jp[1]) { jp++; out[k++] = *jp == 'n' ? '\n' : *jp; jp++; }
    else out[k++] = *jp++;
  }
  if (*jp == '"') jp++;
  out[k] = 0;
  return out;
}
static jval *jparse(void) {
  jws();
  if (*jp == '{' || *jp == '[') {
    int obj = *jp == '{'; jp++;
    jval *v = jnew(obj ? J_OBJ : J_ARR);
    for (;;) {
      jws();
      if (*jp == '}' || *jp == ']') { jp++; break; }
      if (*jp == ',') { jp++; continue; }
      if (!*jp) break;
      char *key = NULL;
      if (obj) { if (*jp != '"') return v; key = jstring(); jws(); if (*jp == ':') jp++; }
      jval *item = jparse();
      v->items = realloc(v->items, sizeof(jval *) * (v->n + 1));
      v->keys = realloc(v->keys, sizeof(char *) * (v->n + 1));
      v->items[v->n] = item; v->keys[v->n] = key; v->n++;
    }
    return v;
  }
  if (*jp == '"') { jval *v = jnew(J_STR); v->str = jstring(); return v; }
  if (!strncmp(jp, "true", 4)) { jp += 4; jval *v = jnew(J_BOOL); v->num = 1; return v; }
  if (!strncmp(jp, "false", 5)) { jp += 5; return jnew(J_BOOL); }
  if (!strncmp(jp, "null", 4)) { jp += 4; return jnew(J_NULL); }
  char *end; double d = strtod(jp, &end);
  if (end == jp) { if (*jp) jp++; return jnew(J_NULL); }
  jp = end; jval *v = jnew(J_NUM); v->num = d; return v;
}
static jval *jget(const jval *o, const char *key) {
  if (!o || o->t != J_OBJ) return NULL;
  for (int i = 0; i < o->n; i++) if (o->keys[i] && !strcmp(o->keys[i], key)) return o->items[i];
  return NULL;
}
static void jfree(jval *v) {
  if (!v) return;
  for (int i = 0; i < v->n; i++) { jfree(v->items[i]); free(v->keys[i]); }
  free(v->items); free(v->keys); free(v->str); free(v);
}

/* ---- state ---- */
#define MAX_GPUS 64
#define MAX_MIG 8
#define MAX_SETS 16
struct fake_dev { int gpu; int mig; /* mig = -1 for the physical GPU */ };
struct fake_set { int used; unsigned long long types[MAX_GPUS]; };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tick_cv = PTHREAD_COND_INITIALIZER;
static int init_count = 0;
static jval *scenario = NULL;
static int gpu_count = 0;
static struct fake_dev devs[MAX_GPUS];
static struct fake_dev mig_devs[MAX_GPUS][MAX_MIG];
static struct fake_set sets[MAX_SETS];
static unsigned char xid_done[MAX_GPUS][64];
static unsigned int tick_set = 0;
/* Counted from every thread (koffi's async calls run on its worker threads): atomically, or two
 * concurrent PCIe reads can count once (nvml.test.ts "reads PCIe throughput on every n-th sample"
 * saw 15 calls for 16 under load). */
static unsigned long long calls = 0;
#define COUNT_CALL() __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED)
static struct timespec t0;

static unsigned int tick(void) {
  jval *tm = jget(scenario, "tick_ms");
  if (tm && tm->t == J_NUM && tm->num > 0) {
    struct timespec now; clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (now.tv_sec - t0.tv_sec) * 1e3 + (now.tv_nsec - t0.tv_nsec) / 1e6;
    return (unsigned int)(ms / tm->num);
  }
  return tick_set;
}
static jval *gpu_obj(int i) {
  jval *g = jget(scenario, "gpus");
  return g && g->t == J_ARR && i >= 0 && i < g->n ? g->items[i] : NULL;
}
/* value of a number-or-array field at the current tick */
static int num_at(const jval *o, const char *key, double *out) {
  jval *v = jget(o, key);
  if (!v) return 0;
  if (v->t == J_NUM) { *out = v->num; return 1; }
  if (v->t == J_ARR && v->n > 0) {
    jval *it = v->items[tick() % (unsigned int)v->n];
    if (it->t == J_NUM) { *out = it->num; return 1; }
  }
  return 0;
}
static int has_flag(const jval *g, const char *feature) {
  jval *ns = jget(g, "not_supported");
  if (!ns || ns->t != J_ARR) return 0;
  for (int i = 0; i < ns->n; i++) if (ns->items[i]->t == J_STR && !strcmp(ns->items[i]->str, feature)) return 1;
  return 0;
}
static int is_lost(const jval *g) {
  double lost, rec; unsigned int t = tick();
  if (!num_at(g, "lost_at_tick", &lost) || t < (unsigned int)lost) return 0;
  return !(num_at(g, "recover_at_tick", &rec) && t >= (unsigned int)rec);
}
/* common checks for a device call: returns OK or an error, sets *g */
static int dev_check(nvmlDevice_t d, const char *feature, jval **g) {
  COUNT_CALL();
  if (init_count == 0) return ERR_UNINITIALIZED;
  if (!d || d->gpu < 0 || d->gpu >= gpu_count) return ERR_INVALID_ARGUMENT;
  *g = gpu_obj(d->gpu);
  if (is_lost(*g)) return ERR_GPU_IS_LOST;
  if (feature && has_flag(*g, feature)) return ERR_NOT_SUPPORTED;
  return OK;
}
static const jval *mig_obj(nvmlDevice_t d) {
  jval *list = jget(gpu_obj(d->gpu), "mig_devices");
  return list && list->t == J_ARR && d->mig < list->n ? list->items[d->mig] : NULL;
}

/* ---- lifecycle ---- */
static int load_scenario(void) {
  const char *path = getenv("FAKE_NVML_SCENARIO");
  if (!path) return ERR_DRIVER_NOT_LOADED;
  FILE *f = fopen(path, "rb");
  if (!f) return ERR_DRIVER_NOT_LOADED;
  fseek(f, 0, SEEK_END); long len = ftell(f); fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)len + 1);
  size_t got = fread(buf, 1, (size_t)len, f); buf[got] = 0; fclose(f);
  jp = buf; scenario = jparse(); free(buf);
  double err = 0;
  if (num_at(scenario, "init_error", &err) && err != 0) { jfree(scenario); scenario = NULL; return (int)err; }
  jval *g = jget(scenario, "gpus");
  gpu_count = g && g->t == J_ARR ? (g->n > MAX_GPUS ? MAX_GPUS : g->n) : 0;
  for (int i = 0; i < gpu_count; i++) {
    devs[i].gpu = i; devs[i].mig = -1;
    for (int m = 0; m < MAX_MIG; m++) { mig_devs[i][m].gpu = i; mig_devs[i][m].mig = m; }
  }
  memset(xid_done, 0, sizeof xid_done); memset(sets, 0, sizeof sets);
  tick_set = 0; __atomic_store_n(&calls, 0, __ATOMIC_RELAXED); clock_gettime(CLOCK_MONOTONIC, &t0);
  return OK;
}
int nvmlInit_v2(void) {
  pthread_mutex_lock(&mu);
  int rc = OK;
  if (init_count == 0) rc = load_scenario();
  if (rc == OK) init_count++;
  pthread_mutex_unlock(&mu);
  return rc;
}
int nvmlInit(void) { return nvmlInit_v2(); }
int nvmlShutdown(void) {
  pthread_mutex_lock(&mu);
  int rc = OK;
  if (init_count == 0) rc = ERR_UNINITIALIZED;
  else if (--init_count == 0) { jfree(scenario); scenario = NULL; gpu_count = 0; pthread_cond_broadcast(&tick_cv); }
  pthread_mutex_unlock(&mu);
  return rc;
}
const char *nvmlErrorString(int rc) {
  switch (rc) {
    case OK: return "Success";
    case ERR_NOT_SUPPORTED: return "Not Supported";
    case ERR_GPU_IS_LOST: return "GPU is lost";
    case ERR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    default: return "Unknown Error";
  }
}
void fakeNvmlSetTick(unsigned int t) {
  pthread_mutex_lock(&mu); tick_set = t; pthread_cond_broadcast(&tick_cv); pthread_mutex_unlock(&mu);
}
unsigned long long fakeNvmlCallCount(void) { return __atomic_load_n(&calls, __ATOMIC_RELAXED); }

/* ---- system ---- */
int nvmlSystemGetDriverVersion(char *out, unsigned int len) {
  if (init_count == 0) return ERR_UNINITIALIZED;
  jval *v = jget(scenario, "driver_version");
  snprintf(out, len, "%s", v && v->t == J_STR ? v->str : "590.48.01");
  return OK;
}
int nvmlSystemGetCudaDriverVersion_v2(int *out) {
  if (init_count == 0) return ERR_UNINITIALIZED;
  double v = 13010; num_at(scenario, "cuda_version", &v); *out = (int)v; return OK;
}
int nvmlDeviceGetCount_v2(unsigned int *out) {
  if (init_count == 0) return ERR_UNINITIALIZED;
  *out = (unsigned int)gpu_count; return OK;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned int i, nvmlDevice_t *out) {
  if (init_count == 0) return ERR_UNINITIALIZED;
  if (i >= (unsigned int)gpu_count) return ERR_INVALID_ARGUMENT;
  *out = &devs[i]; return OK;
}

/* ---- identity ---- */
static int str_field(nvmlDevice_t d, const char *key, const char *dflt, char *out, unsigned int len) {
  jval *g; int rc = dev_check(d, NULL, &g); if (rc) return rc;
  const jval *src = d->mig >= 0 ? mig_obj(d) : g;
  jval *v = jget(src, key);
  char fallback[64]; snprintf(fallback, sizeof fallback, dflt, d->gpu, d->mig);
  const char *s = v && v->t == J_STR ? v->str : fallback;
  if (strlen(s) + 1 > len) return ERR_INSUFFICIENT_SIZE;
  snprintf(out, len, "%s", s); return OK;
}
int nvmlDeviceGetUUID(nvmlDevice_t d, char *out, unsigned int len) {
  return str_field(d, "uuid", d && d->mig >= 0 ? "MIG-fake-%d-%d" : "GPU-fake-%04d-0000-0000-0000-000000000000", out, len);
}
int nvmlDeviceGetName(nvmlDevice_t d, char *out, unsigned int len) { return str_field(d, "name", "NVIDIA Fake GPU %d", out, len); }
int nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t *p) {
  jval *g; int rc = dev_check(d, NULL, &g); if (rc) return rc;
  memset(p, 0, sizeof *p);
  jval *v = jget(g, "pci_bus_id");
  if (v && v->t == J_STR) snprintf(p->busId, sizeof p->busId, "%s", v->str);
  else snprintf(p->busId, sizeof p->busId, "00000000:%02X:00.0", d->gpu + 1);
  p->bus = (unsigned int)d->gpu + 1;
  return OK;
}

/* ---- readings ---- */
#define NUM_OR(g, key, dflt) ({ double _v = (dflt); num_at((g), (key), &_v); _v; })
int nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m) {
  jval *g; int rc = dev_check(d, NULL, &g); if (rc) return rc;
  const jval *src = d->mig >= 0 ? mig_obj(d) : g;
  double total = NUM_OR(src, "memory_total_mib", 24576), used = NUM_OR(src, "memory_used_mib", 0);
  m->total = (unsigned long long)(total * 1048576); m->used = (unsigned long long)(used * 1048576);
  m->free = m->total - m->used; return OK;
}
int nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t d, nvmlMemory_v2_t *m) {
  jval *g; int rc = dev_check(d, "memory_v2", &g); if (rc) return rc;
  if (m->version != ((unsigned int)sizeof(nvmlMemory_v2_t) | (2u << 24))) return ERR_ARGUMENT_VERSION_MISMATCH;
  const jval *src = d->mig >= 0 ? mig_obj(d) : g;
  double total = NUM_OR(src, "memory_total_mib", 24576), used = NUM_OR(src, "memory_used_mib", 0);
  double reserved = NUM_OR(src, "memory_reserved_mib", 0);
  m->total = (unsigned long long)(total * 1048576); m->used = (unsigned long long)(used * 1048576);
  m->reserved = (unsigned long long)(reserved * 1048576); m->free = m->total - m->used - m->reserved; return OK;
}
int nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) {
  jval *g; int rc = dev_check(d, "utilization", &g); if (rc) return rc;
  if (NUM_OR(g, "mig_mode", 0) == 1) return ERR_NOT_SUPPORTED;
  u->gpu = (unsigned int)NUM_OR(g, "utilization_gpu", 0); u->memory = (unsigned int)NUM_OR(g, "utilization_memory", 0); return OK;
}
#define UINT_GETTER(fn, feature, key, dflt) \
  int fn(nvmlDevice_t d, unsigned int *out) { \
    jval *g; int rc = dev_check(d, feature, &g); if (rc) return rc; \
    *out = (unsigned int)NUM_OR(g, key, dflt); return OK; }
UINT_GETTER(nvmlDeviceGetPowerUsage, "power", "power_mw", 100000)
UINT_GETTER(nvmlDeviceGetEnforcedPowerLimit, "power", "power_limit_mw", 300000)
UINT_GETTER(nvmlDeviceGetFanSpeed, "fan", "fan", 30)
int nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *out) {
  jval *g; int rc = dev_check(d, "temperature", &g); if (rc) return rc;
  if (sensor != 0) return ERR_INVALID_ARGUMENT;
  *out = (unsigned int)NUM_OR(g, "temperature", 40); return OK;
}
int nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t d, unsigned long long *out) {
  jval *g; int rc = dev_check(d, "energy", &g); if (rc) return rc;
  *out = (unsigned long long)NUM_OR(g, "energy_mj", 0); return OK;
}
/* NVML_CLOCK_GRAPHICS 0, _SM 1, _MEM 2, _VIDEO 3; graphics falls back to the SM value */
int nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned int *out) {
  jval *g; int rc = dev_check(d, "clocks", &g); if (rc) return rc;
  double sm = NUM_OR(g, "sm_clock", 1500);
  if (type == 1) *out = (unsigned int)sm;
  else if (type == 0) *out = (unsigned int)NUM_OR(g, "graphics_clock", sm);
  else if (type == 2) *out = (unsigned int)NUM_OR(g, "mem_clock", 5000);
  else if (type == 3) { if (has_flag(g, "video_clock")) return ERR_NOT_SUPPORTED; *out = (unsigned int)NUM_OR(g, "video_clock", 1400); }
  else return ERR_INVALID_ARGUMENT;
  return OK;
}
int nvmlDeviceGetMaxClockInfo(nvmlDevice_t d, int type, unsigned int *out) {
  jval *g; int rc = dev_check(d, "clocks", &g); if (rc) return rc;
  double sm = NUM_OR(g, "sm_clock_max", 2000);
  if (type == 1) *out = (unsigned int)sm;
  else if (type == 0) *out = (unsigned int)NUM_OR(g, "graphics_clock_max", sm);
  else if (type == 2) *out = (unsigned int)NUM_OR(g, "mem_clock_max", 5000);
  else if (type == 3) *out = (unsigned int)NUM_OR(g, "video_clock_max", 1950);
  else return ERR_INVALID_ARGUMENT;
  return OK;
}
UINT_GETTER(nvmlDeviceGetPerformanceState, "pstate", "pstate", 0)
UINT_GETTER(nvmlDeviceGetComputeMode, "compute_mode", "compute_mode", 0)
UINT_GETTER(nvmlDeviceGetPcieReplayCounter, "pcie_replay", "pcie_replay", 0)
int nvmlDeviceGetMinorNumber(nvmlDevice_t d, unsigned int *out) {
  jval *g; int rc = dev_check(d, NULL, &g); if (rc) return rc;
  *out = (unsigned int)NUM_OR(g, "minor_number", d->gpu); return OK;
}
int nvmlDeviceGetEncoderUtilization(nvmlDevice_t d, unsigned int *util, unsigned int *periodUs) {
  jval *g; int rc = dev_check(d, "encoder", &g); if (rc) return rc;
  *util = (unsigned int)NUM_OR(g, "enc_util", 0); *periodUs = 167000; return OK;
}
int nvmlDeviceGetDecoderUtilization(nvmlDevice_t d, unsigned int *util, unsigned int *periodUs) {
  jval *g; int rc = dev_check(d, "decoder", &g); if (rc) return rc;
  *util = (unsigned int)NUM_OR(g, "dec_util", 0); *periodUs = 167000; return OK;
}
int nvmlDeviceGetRemappedRows(nvmlDevice_t d, unsigned int *corr, unsigned int *unc, unsigned int *pending, unsigned int *failure) {
  jval *g; int rc = dev_check(d, "remapped_rows", &g); if (rc) return rc;
  *corr = (unsigned int)NUM_OR(g, "remapped_corr", 0); *unc = (unsigned int)NUM_OR(g, "remapped_unc", 0);
  *pending = (unsigned int)NUM_OR(g, "remap_pending", 0); *failure = (unsigned int)NUM_OR(g, "remap_failure", 0);
  return OK;
}
/* nvmlGpuFabricInfo_t: state 0 not supported, 1 not started, 2 in progress, 3 completed */
typedef struct { unsigned char clusterUuid[16]; int status; unsigned int cliqueId; unsigned char state; } nvmlGpuFabricInfo_t;
int nvmlDeviceGetGpuFabricInfo(nvmlDevice_t d, nvmlGpuFabricInfo_t *out) {
  jval *g; int rc = dev_check(d, "fabric", &g); if (rc) return rc;
  double st;
  if (!num_at(g, "fabric_state", &st)) return ERR_NOT_SUPPORTED;
  memset(out, 0, sizeof *out); out->status = OK; out->state = (unsigned char)st; return OK;
}
/* nvmlFieldValue_t (nvml.h): the value is a union; the fake always answers UNSIGNED_LONG_LONG (3). */
typedef struct {
  unsigned int fieldId, scopeId; long long timestamp, latencyUsec; int valueType, nvmlReturn;
  union { double dVal; unsigned int uiVal; unsigned long ulVal; unsigned long long ullVal; long long sllVal; int siVal; } value;
} nvmlFieldValue_t;
/* NVLink throughput fields (NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX 138 … RAW_RX 141, cumulative KiB):
 * scopeId UINT_MAX answers the scenario's value (all links); a link id below "nvlink_links" answers
 * that link's share (value / links); any other scope NVML_ERROR_INVALID_ARGUMENT. */
int nvmlDeviceGetFieldValues(nvmlDevice_t d, int count, nvmlFieldValue_t *values) {
  jval *g; int rc = dev_check(d, "fields", &g); if (rc) return rc;
  jval *fields = jget(g, "fields");
  double links = NUM_OR(g, "nvlink_links", 0);
  for (int i = 0; i < count; i++) {
    char key[16]; snprintf(key, sizeof key, "%u", values[i].fieldId);
    double v;
    values[i].latencyUsec = 0; values[i].timestamp = 0;
    int nvlink = values[i].fieldId >= 138 && values[i].fieldId <= 141;
    if (fields && num_at(fields, key, &v)) {
      if (nvlink && values[i].scopeId != 0xFFFFFFFFu) {
        if (values[i].scopeId >= (unsigned int)links) { values[i].nvmlReturn = ERR_INVALID_ARGUMENT; continue; }
        v = v / links;
      }
      values[i].nvmlReturn = OK; values[i].valueType = 3; values[i].value.ullVal = (unsigned long long)v;
    }
    else values[i].nvmlReturn = ERR_NOT_SUPPORTED;
  }
  return OK;
}
/* nvmlDeviceGetNvLinkState: "nvlink_links" active links (0 … n-1 enabled); absent = NOT_SUPPORTED
 * (no NVLink); a link id beyond NVML_NVLINK_MAX_LINKS (18) is INVALID_ARGUMENT. */
int nvmlDeviceGetNvLinkState(nvmlDevice_t d, unsigned int link, unsigned int *isActive) {
  jval *g; int rc = dev_check(d, "nvlink", &g); if (rc) return rc;
  double links;
  if (!num_at(g, "nvlink_links", &links)) return ERR_NOT_SUPPORTED;
  if (link >= 18) return ERR_INVALID_ARGUMENT;
  *isActive = link < (unsigned int)links ? 1 : 0; return OK;
}
int nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t d, unsigned long long *out) {
  jval *g; int rc = dev_check(d, "reasons", &g); if (rc) return rc;
  *out = (unsigned long long)NUM_OR(g, "reasons", 0); return OK;
}
int nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t d, unsigned long long *out) {
  return nvmlDeviceGetCurrentClocksEventReasons(d, out);
}
int nvmlDeviceGetPcieThroughput(nvmlDevice_t d, int counter, unsigned int *out) {
  jval *g; int rc = dev_check(d, "pcie", &g); if (rc) return rc;
  *out = (unsigned int)NUM_OR(g, counter == 0 ? "pcie_tx_kbs" : "pcie_rx_kbs", 0); return OK;
}
int nvmlDeviceGetTotalEccErrors(nvmlDevice_t d, int errorType, int counterType, unsigned long long *out) {
  jval *g; int rc = dev_check(d, "ecc", &g); if (rc) return rc;
  /* counterType 0 = volatile (since the driver loaded), 1 = aggregate (lifetime) */
  const char *key = counterType == 1 ? (errorType == 0 ? "ecc_corrected_aggregate" : "ecc_uncorrected_aggregate")
                                     : (errorType == 0 ? "ecc_corrected" : "ecc_uncorrected");
  *out = (unsigned long long)NUM_OR(g, key, NUM_OR(g, errorType == 0 ? "ecc_corrected" : "ecc_uncorrected", 0)); return OK;
}
int nvmlDeviceGetViolationStatus(nvmlDevice_t d, int policy, nvmlViolationTime_t *out) {
  jval *g; int rc = dev_check(d, "violation", &g); if (rc) return rc;
  out->referenceTime = 0;
  if (policy == 0) out->violationTime = (unsigned long long)NUM_OR(g, "violation_power_ns", 0);
  else if (policy == 1) out->violationTime = (unsigned long long)NUM_OR(g, "violation_thermal_ns", 0);
  else return ERR_NOT_SUPPORTED;
  return OK;
}
int nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int *count, nvmlProcessInfo_t *infos) {
  jval *g; int rc = dev_check(d, "processes", &g); if (rc) return rc;
  jval *list = jget(g, "processes");
  unsigned int n = list && list->t == J_ARR ? (unsigned int)list->n : 0;
  if (*count < n) { *count = n; return ERR_INSUFFICIENT_SIZE; }
  for (unsigned int i = 0; i < n; i++) {
    infos[i].pid = (unsigned int)NUM_OR(list->items[i], "pid", 0);
    infos[i].usedGpuMemory = (unsigned long long)(NUM_OR(list->items[i], "used_mib", 0) * 1048576);
    infos[i].gpuInstanceId = 0xFFFFFFFFu; infos[i].computeInstanceId = 0xFFFFFFFFu;
  }
  *count = n; return OK;
}

/* ---- MIG ---- */
int nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned int *current, unsigned int *pending) {
  jval *g; int rc = dev_check(d, "mig", &g); if (rc) return rc;
  *current = *pending = (unsigned int)NUM_OR(g, "mig_mode", 0); return OK;
}
int nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t d, unsigned int *out) {
  jval *g; int rc = dev_check(d, "mig", &g); if (rc) return rc;
  *out = MAX_MIG; return OK;
}
int nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t d, unsigned int i, nvmlDevice_t *out) {
  jval *g; int rc = dev_check(d, "mig", &g); if (rc) return rc;
  jval *list = jget(g, "mig_devices");
  if (!list || list->t != J_ARR || i >= (unsigned int)list->n || i >= MAX_MIG) return ERR_NOT_FOUND;
  *out = &mig_devs[d->gpu][i]; return OK;
}
int nvmlDeviceGetGpuInstanceId(nvmlDevice_t d, unsigned int *out) {
  jval *g; int rc = dev_check(d, NULL, &g); if (rc) return rc;
  if (d->mig < 0) return ERR_INVALID_ARGUMENT;
  *out = (unsigned int)NUM_OR(mig_obj(d), "gpu_instance_id", d->mig); return OK;
}
int nvmlDeviceGetComputeInstanceId(nvmlDevice_t d, unsigned int *out) {
  jval *g; int rc = dev_check(d, NULL, &g); if (rc) return rc;
  if (d->mig < 0) return ERR_INVALID_ARGUMENT;
  *out = (unsigned int)NUM_OR(mig_obj(d), "compute_instance_id", 0); return OK;
}

/* ---- events (XID) ---- */
int nvmlEventSetCreate(nvmlEventSet_t *out) {
  if (init_count == 0) return ERR_UNINITIALIZED;
  pthread_mutex_lock(&mu);
  for (int i = 0; i < MAX_SETS; i++) if (!sets[i].used) {
    memset(&sets[i], 0, sizeof sets[i]); sets[i].used = 1; *out = &sets[i];
    pthread_mutex_unlock(&mu); return OK;
  }
  pthread_mutex_unlock(&mu);
  return ERR_UNKNOWN;
}
int nvmlDeviceRegisterEvents(nvmlDevice_t d, unsigned long long types, nvmlEventSet_t set) {
  jval *g; int rc = dev_check(d, "events", &g); if (rc) return rc;
  if (!set || !set->used) return ERR_INVALID_ARGUMENT;
  pthread_mutex_lock(&mu); set->types[d->gpu] |= types; pthread_mutex_unlock(&mu);
  return OK;
}
static int next_xid(nvmlEventSet_t set, nvmlEventData_t *data) {
  unsigned int t = tick();
  for (int i = 0; i < gpu_count; i++) {
    if (!(set->types[i] & 0x8ULL)) continue;
    jval *xids = jget(gpu_obj(i), "xids");
    if (!xids || xids->t != J_ARR) continue;
    for (int k = 0; k < xids->n && k < 64; k++) {
      double at = 0, xid = 0;
      num_at(xids->items[k], "tick", &at); num_at(xids->items[k], "xid", &xid);
      if (xid_done[i][k] || (unsigned int)at > t) continue;
      xid_done[i][k] = 1;
      memset(data, 0, sizeof *data);
      data->device = &devs[i]; data->eventType = 0x8ULL; data->eventData = (unsigned long long)xid;
      data->gpuInstanceId = data->computeInstanceId = 0xFFFFFFFFu;
      return 1;
    }
  }
  return 0;
}
int nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t *data, unsigned int timeoutms) {
  /* Blocks like the real call: on a condition variable woken by fakeNvmlSetTick (or, in tick_ms
     mode, at the next tick boundary), so an idle watcher costs nothing but its wake-ups. */
  struct timespec deadline; clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += timeoutms / 1000; deadline.tv_nsec += (long)(timeoutms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) { deadline.tv_sec++; deadline.tv_nsec -= 1000000000L; }
  pthread_mutex_lock(&mu);
  for (;;) {
    if (init_count == 0 || !set || !set->used) { pthread_mutex_unlock(&mu); return ERR_UNINITIALIZED; }
    if (next_xid(set, data)) { pthread_mutex_unlock(&mu); return OK; }
    struct timespec until = deadline;
    jval *tm = jget(scenario, "tick_ms");
    if (tm && tm->t == J_NUM && tm->num > 0) {
      struct timespec now; clock_gettime(CLOCK_REALTIME, &now);
      long step_ns = (long)(tm->num * 1e6);
      now.tv_nsec += step_ns; now.tv_sec += now.tv_nsec / 1000000000L; now.tv_nsec %= 1000000000L;
      if (now.tv_sec < until.tv_sec || (now.tv_sec == until.tv_sec && now.tv_nsec < until.tv_nsec)) until = now;
    }
    int rc = pthread_cond_timedwait(&tick_cv, &mu, &until);
    if (rc != 0 && until.tv_sec == deadline.tv_sec && until.tv_nsec == deadline.tv_nsec) {
      int got = next_xid(set, data);
      pthread_mutex_unlock(&mu);
      return got ? OK : ERR_TIMEOUT;
    }
  }
}
int nvmlEventSetFree(nvmlEventSet_t set) {
  if (!set) return ERR_INVALID_ARGUMENT;
  pthread_mutex_lock(&mu); set->used = 0; pthread_mutex_unlock(&mu);
  return OK;
}

/* ---- GPM: GPU Performance Monitoring (nvml.h "GPM Functions", Hopper and later) ----
 * A GPU supports GPM when its scenario object has "gpm": {"<metric id>": number-or-array, ...}
 * (ids of nvmlGpmMetricId_t: 1 graphics, 2 SM, 3 SM occupancy, 5 any tensor, 10 DRAM bandwidth,
 * 11-13 FP64/32/16 in %, 20/21 PCIe TX/RX and 60/61 NVLink RX/TX in MiB/s); a MIG device's object
 * may carry its own "gpm" for nvmlGpmMigSampleGet. A sample records the tick it was taken at;
 * nvmlGpmMetricsGet answers, per metric, the mean of the scenario's values over the ticks
 * (t1, t2] of the two samples (the value at t2 when both share a tick), as the real library
 * averages its counters over the window. A metric id absent from "gpm" answers NOT_SUPPORTED in
 * that metric's nvmlReturn. sample2 older than sample1, or samples of different devices / GPU
 * instances: NVML_ERROR_INVALID_ARGUMENT for the call. */
#define GPM_METRIC_MAX 333 /* NVML_GPM_METRIC_MAX of CUDA 13's nvml.h (98 in older headers) */
#define MAX_GPM_SAMPLES 256
struct fake_gpm_sample { int used, taken, gpu, gi; unsigned int tick; };
typedef struct fake_gpm_sample *nvmlGpmSample_t;
typedef struct {
  unsigned int metricId; int nvmlReturn; double value;
  struct { char *shortName, *longName, *unit; } metricInfo;
} nvmlGpmMetric_t;
typedef struct {
  unsigned int version, numMetrics; nvmlGpmSample_t sample1, sample2; nvmlGpmMetric_t metrics[GPM_METRIC_MAX];
} nvmlGpmMetricsGet_t;
typedef struct { unsigned int version, isSupportedDevice; } nvmlGpmSupport_t;
static struct fake_gpm_sample gpm_samples[MAX_GPM_SAMPLES];
static unsigned long long gpm_allocated = 0;

unsigned long long fakeNvmlGpmSamplesAllocated(void) { return gpm_allocated; }

int nvmlGpmQueryDeviceSupport(nvmlDevice_t d, nvmlGpmSupport_t *out) {
  jval *g; int rc = dev_check(d, NULL, &g); if (rc) return rc;
  if (!out) return ERR_INVALID_ARGUMENT;
  if (out->version != 1) return ERR_ARGUMENT_VERSION_MISMATCH;
  out->isSupportedDevice = jget(g, "gpm") != NULL && d->mig < 0; return OK;
}
int nvmlGpmSampleAlloc(nvmlGpmSample_t *out) {
  COUNT_CALL();
  if (init_count == 0) return ERR_UNINITIALIZED;
  if (!out) return ERR_INVALID_ARGUMENT;
  for (int i = 0; i < MAX_GPM_SAMPLES; i++) if (!gpm_samples[i].used) {
    memset(&gpm_samples[i], 0, sizeof gpm_samples[i]); gpm_samples[i].used = 1; gpm_allocated++;
    *out = &gpm_samples[i]; return OK;
  }
  return ERR_UNKNOWN;
}
int nvmlGpmSampleFree(nvmlGpmSample_t s) {
  COUNT_CALL();
  if (!s || s < gpm_samples || s >= gpm_samples + MAX_GPM_SAMPLES || !s->used) return ERR_INVALID_ARGUMENT;
  s->used = 0; gpm_allocated--; return OK;
}
static int gpm_take(nvmlDevice_t d, int gi, nvmlGpmSample_t s) {
  jval *g; int rc = dev_check(d, NULL, &g); if (rc) return rc;
  if (!s || s < gpm_samples || s >= gpm_samples + MAX_GPM_SAMPLES || !s->used) return ERR_INVALID_ARGUMENT;
  if (!jget(g, "gpm") || d->mig >= 0) return ERR_NOT_SUPPORTED;
  s->taken = 1; s->gpu = d->gpu; s->gi = gi; s->tick = tick(); return OK;
}
int nvmlGpmSampleGet(nvmlDevice_t d, nvmlGpmSample_t s) { return gpm_take(d, -1, s); }
static const jval *mig_by_gi(int gpu, int gi) {
  jval *list = jget(gpu_obj(gpu), "mig_devices");
  for (int i = 0; list && list->t == J_ARR && i < list->n; i++) {
    double id; if (num_at(list->items[i], "gpu_instance_id", &id) && (int)id == gi) return list->items[i];
  }
  return NULL;
}
int nvmlGpmMigSampleGet(nvmlDevice_t d, unsigned int gpuInstanceId, nvmlGpmSample_t s) {
  jval *g; int rc = dev_check(d, NULL, &g); if (rc) return rc;
  if (NUM_OR(g, "mig_mode", 0) != 1) return ERR_NOT_SUPPORTED;
  if (!mig_by_gi(d->gpu, (int)gpuInstanceId)) return ERR_NOT_FOUND;
  return gpm_take(d, (int)gpuInstanceId, s);
}
/* mean of a number-or-array over ticks (t1, t2] */
static int gpm_mean(const jval *o, const char *key, unsigned int t1, unsigned int t2, double *out) {
  jval *v = jget(o, key);
  if (!v) return 0;
  if (v->t == J_NUM) { *out = v->num; return 1; }
  if (v->t != J_ARR || v->n == 0) return 0;
  unsigned int from = t2 > t1 ? t1 + 1 : t2; double sum = 0; unsigned int n = 0;
  for (unsigned int t = from; t <= t2; t++, n++) {
    jval *it = v->items[t % (unsigned int)v->n]; if (it->t != J_NUM) return 0; sum += it->num;
  }
  *out = sum / n; return 1;
}
int nvmlGpmMetricsGet(nvmlGpmMetricsGet_t *m) {
  COUNT_CALL();
  if (init_count == 0) return ERR_UNINITIALIZED;
  if (!m) return ERR_INVALID_ARGUMENT;
  if (m->version != 1) return ERR_ARGUMENT_VERSION_MISMATCH;
  nvmlGpmSample_t a = m->sample1, b = m->sample2;
  if (m->numMetrics > GPM_METRIC_MAX || !a || !b || !a->used || !b->used || !a->taken || !b->taken) return ERR_INVALID_ARGUMENT;
  if (a->gpu != b->gpu || a->gi != b->gi || b->tick < a->tick) return ERR_INVALID_ARGUMENT;
  const jval *src = a->gi < 0 ? gpu_obj(a->gpu) : mig_by_gi(a->gpu, a->gi);
  jval *gpm = jget(src, "gpm");
  for (unsigned int i = 0; i < m->numMetrics; i++) {
    char key[16]; snprintf(key, sizeof key, "%u", m->metrics[i].metricId);
    double v;
    memset(&m->metrics[i].metricInfo, 0, sizeof m->metrics[i].metricInfo);
    if (gpm && gpm_mean(gpm, key, a->tick, b->tick, &v)) { m->metrics[i].nvmlReturn = OK; m->metrics[i].value = v; }
    else { m->metrics[i].nvmlReturn = ERR_NOT_SUPPORTED; m->metrics[i].value = 0; }
  }
  return OK;
}
