/* A stand-in for libnvidia-ml.so.1 in tests on machines without a GPU: the handful of NVML
 * entry points rowchaind reads (host/mining/nvml.h), with the same C signatures, loaded the same
 * way (a test puts this library's directory on LD_LIBRARY_PATH). One GPU, whose temperature and
 * last XID error a test sets by writing "temperature N" and "xid N" lines to the file named by
 * $ROWCHAIN_NVML_STUB; everything else is fixed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int nvmlReturn_t;
typedef void* nvmlDevice_t;
typedef void* nvmlEventSet_t;
typedef struct { unsigned gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct {
  nvmlDevice_t device;
  unsigned long long eventType, eventData;
  unsigned gpuInstanceId, computeInstanceId;
} nvmlEventData_t;

enum { OK = 0, ERROR_INVALID_ARGUMENT = 2, ERROR_TIMEOUT = 10 };
static int the_device;
static int the_event_set;
static unsigned long long last_xid_reported;

/* The value of a "key N" line in the state file, or `fallback`. */
static unsigned long long State(const char* key, unsigned long long fallback) {
  const char* path = getenv("ROWCHAIN_NVML_STUB");
  FILE* f = path ? fopen(path, "r") : NULL;
  char name[64];
  unsigned long long value, found = fallback;
  if (!f) return fallback;
  while (fscanf(f, "%63s %llu", name, &value) == 2) {
    if (strcmp(name, key) == 0) found = value;
  }
  fclose(f);
  return found;
}

static nvmlReturn_t Copy(char* out, unsigned length, const char* text) {
  if (!out || length <= strlen(text)) return ERROR_INVALID_ARGUMENT;
  strcpy(out, text);
  return OK;
}

nvmlReturn_t nvmlInit_v2(void) { return OK; }
nvmlReturn_t nvmlShutdown(void) { return OK; }
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned* count) { *count = 1; return OK; }
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned index, nvmlDevice_t* device) {
  if (index != 0) return ERROR_INVALID_ARGUMENT;
  *device = &the_device;
  return OK;
}
nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char* name, unsigned length) { (void)d; return Copy(name, length, "NVIDIA H200 (stub)"); }
nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char* uuid, unsigned length) {
  (void)d;
  return Copy(uuid, length, "GPU-00000000-0000-0000-0000-00000000stub");
}
nvmlReturn_t nvmlDeviceGetMinorNumber(nvmlDevice_t d, unsigned* minor) { (void)d; *minor = 0; return OK; }
nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned* temp) {
  (void)d; (void)sensor;
  *temp = (unsigned)State("temperature", 60);
  return OK;
}
nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned* milliwatts) { (void)d; *milliwatts = 250000; return OK; }
nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned* mhz) { (void)d; *mhz = type == 2 ? 2619 : 1980; return OK; }
nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t* u) { (void)d; u->gpu = 97; u->memory = 12; return OK; }
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t* m) {
  (void)d;
  m->total = 141ull << 30; m->used = 1ull << 30; m->free = m->total - m->used;
  return OK;
}
nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t d, unsigned long long* reasons) {
  (void)d;
  *reasons = State("temperature", 60) > 90 ? 0x20 : 0;  /* sw_thermal_slowdown when hot */
  return OK;
}
nvmlReturn_t nvmlEventSetCreate(nvmlEventSet_t* set) { *set = &the_event_set; return OK; }
nvmlReturn_t nvmlDeviceRegisterEvents(nvmlDevice_t d, unsigned long long types, nvmlEventSet_t set) {
  (void)d; (void)types; (void)set;
  return OK;
}
nvmlReturn_t nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t* data, unsigned timeout_ms) {
  unsigned long long xid = State("xid", 0);
  (void)set; (void)timeout_ms;
  if (xid == 0 || xid == last_xid_reported) return ERROR_TIMEOUT;
  last_xid_reported = xid;
  memset(data, 0, sizeof *data);
  data->device = &the_device;
  data->eventType = 0x8;
  data->eventData = xid;
  return OK;
}
nvmlReturn_t nvmlEventSetFree(nvmlEventSet_t set) { (void)set; return OK; }
