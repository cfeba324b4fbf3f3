/* Peak heap bytes of one call: the C allocator's entry points, counted.
 *
 * Why here and not operator new: Eigen, ADOL-C, Sacado and PyTorch's CPU allocator all reach
 * the heap through malloc, calloc, realloc or posix_memalign, so counting those catches every
 * peer alike. Linked into peers_bench (the executable's definitions take precedence over
 * glibc's) and built as libheap_peak.so for LD_PRELOAD under python3 (peers_torch.py).
 * Each entry point forwards to glibc's __libc_* implementation and adds or subtracts
 * malloc_usable_size of the block, so allocation and release count the same bytes.
 *
 * heap_peak_reset() starts a measurement at the current level; heap_peak_bytes() is how far
 * above that level the heap went since. Counters are atomic: PyTorch and Google Benchmark
 * start threads. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stddef.h>

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void* __libc_memalign(size_t, size_t);
extern void __libc_free(void*);

static _Atomic long long current_bytes;
static _Atomic long long peak_bytes;
static _Atomic long long base_bytes;

static void* counted(void* p) {
    if (p) {
        long long now = atomic_fetch_add(&current_bytes, (long long)malloc_usable_size(p)) + (long long)malloc_usable_size(p);
        long long peak = atomic_load(&peak_bytes);
        while (now > peak && !atomic_compare_exchange_weak(&peak_bytes, &peak, now)) {
        }
    }
    return p;
}

static void uncount(void* p) {
    if (p) atomic_fetch_sub(&current_bytes, (long long)malloc_usable_size(p));
}

void* malloc(size_t size) { return counted(__libc_malloc(size)); }
void* calloc(size_t count, size_t size) { return counted(__libc_calloc(count, size)); }
void free(void* p) {
    uncount(p);
    __libc_free(p);
}
void* realloc(void* p, size_t size) {
    uncount(p);
    void* q = __libc_realloc(p, size);
    if (!q && size != 0) {
        counted(p); /* the old block is still allocated */
        return q;
    }
    return counted(q);
}
void* memalign(size_t alignment, size_t size) { return counted(__libc_memalign(alignment, size)); }
void* aligned_alloc(size_t alignment, size_t size) { return counted(__libc_memalign(alignment, size)); }
void* valloc(size_t size) { return counted(__libc_memalign(4096, size)); }
int posix_memalign(void** out, size_t alignment, size_t size) {
    void* p = __libc_memalign(alignment, size);
    if (!p) return ENOMEM;
    *out = counted(p);
    return 0;
}

void heap_peak_reset(void) {
    long long now = atomic_load(&current_bytes);
    atomic_store(&base_bytes, now);
    atomic_store(&peak_bytes, now);
}

long long heap_peak_bytes(void) { return atomic_load(&peak_bytes) - atomic_load(&base_bytes); }
