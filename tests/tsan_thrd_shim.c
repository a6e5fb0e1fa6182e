/* For the hand-run ThreadSanitizer build only (docs/testing.md): glibc's C11 thrd_create, which
 * librdkafka starts its threads with, calls glibc's pthread_create internally, past TSan's
 * interceptor, so TSan meets those threads uninitialized and crashes (clang 14 and 16 have no
 * thrd_* interceptors). Preloaded, these thrd_* functions start and join threads through the
 * public pthread functions, which TSan intercepts. Not part of any product build. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

struct start {
  thrd_start_t function;
  void* argument;
};

static void* Trampoline(void* p) {
  struct start s = *(struct start*)p;
  free(p);
  return (void*)(intptr_t)s.function(s.argument);
}

int thrd_create(thrd_t* thread, thrd_start_t function, void* argument) {
  struct start* s = malloc(sizeof *s);
  if (s == NULL) return thrd_nomem;
  s->function = function;
  s->argument = argument;
  if (pthread_create((pthread_t*)thread, NULL, Trampoline, s) != 0) {
    free(s);
    return thrd_error;
  }
  return thrd_success;
}

int thrd_join(thrd_t thread, int* result) {
  void* value = NULL;
  if (pthread_join((pthread_t)thread, &value) != 0) return thrd_error;
  if (result) *result = (int)(intptr_t)value;
  return thrd_success;
}

int thrd_detach(thrd_t thread) { return pthread_detach((pthread_t)thread) == 0 ? thrd_success : thrd_error; }
