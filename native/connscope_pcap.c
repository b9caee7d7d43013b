/*
 * connscope_pcap: the batch reader of live capture.
 *
 * One call, cs_dispatch(), runs pcap_dispatch() and packs every packet it delivers into a
 * buffer shared with the JVM (a direct ByteBuffer), so the Java side pays one native call per
 * batch instead of one native call and one allocation per packet. A call can start a batch or
 * append to the one already in the buffer (the capture thread fills a batch over several calls
 * while the analysis is busy with the previous ones).
 *
 * Buffer layout (host byte order):
 *   [0]  int32 count    packets in this batch
 *   [4]  int32 used     bytes used, header included
 *   [8]  int32 skipped  packets that did not fit (never: cs_dispatch asks for no more than fit)
 *   [12] int32 reserved
 *   [16] records, each 8-byte aligned:
 *        int64 ts_sec, int32 ts_nsec, int32 caplen, int32 len, caplen bytes, padding
 *
 * The pcap_t comes from pcap4j, which opened, configured and filtered it, and put it in
 * non-blocking mode; this file only reads. Non-blocking plus our own poll(): with TPACKET_V3 (Linux)
 * libpcap's read timeout only retires a block that holds packets, so a blocking read on a quiet
 * interface would never return to look at --duration or Ctrl-C.
 */
#define _GNU_SOURCE
#include <pcap/pcap.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CS_BATCH_HEADER 16
#define CS_RECORD_HEADER 20

struct cs_batch {
  pcap_t *p;
  unsigned char *buf;
  int32_t cap;
  int32_t used;
  int32_t count;
  int32_t skipped;
  int32_t room; /* the largest record: one full-snaplen packet */
  int nanos;
};

static void cs_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
  struct cs_batch *b = (struct cs_batch *) user;
  int32_t caplen = (int32_t) h->caplen;
  int32_t size = (CS_RECORD_HEADER + caplen + 7) & ~7;
  if (caplen < 0 || b->used + size > b->cap) {
    b->skipped++;
  } else {
    unsigned char *r = b->buf + b->used;
    int64_t sec = (int64_t) h->ts.tv_sec;
    int32_t nsec = b->nanos ? (int32_t) h->ts.tv_usec : (int32_t) h->ts.tv_usec * 1000;
    int32_t len = (int32_t) h->len;
    memcpy(r, &sec, 8);
    memcpy(r + 8, &nsec, 4);
    memcpy(r + 12, &caplen, 4);
    memcpy(r + 16, &len, 4);
    memcpy(r + CS_RECORD_HEADER, bytes, (size_t) caplen);
    b->used += size;
    b->count++;
  }
}

/* Version of this interface, checked by the Java side before use. */
int cs_version(void) {
  return 5;
}

/*
 * Sets the nice value of the calling thread (Linux: threads have their own). The capture thread
 * asks for a negative one, so that on a busy machine it drains the kernel's buffer ahead of the
 * analysis and the JIT; it needs CAP_SYS_NICE (root has it). Returns 0, or -1 when not allowed
 * or not supported here.
 */
int cs_thread_nice(int nice) {
#ifdef SYS_gettid
  return setpriority(PRIO_PROCESS, (id_t) syscall(SYS_gettid), nice);
#else
  (void) nice;
  return -1;
#endif
}

/* Smallest buffer cs_dispatch() accepts for pcap handle p: two full-snaplen records. */
int cs_min_buffer(intptr_t handle) {
  pcap_t *p = (pcap_t *) handle;
  int snap = pcap_snapshot(p);
  if (snap <= 0) {
    snap = 262144;
  }
  return CS_BATCH_HEADER + 2 * ((CS_RECORD_HEADER + snap + 7) & ~7);
}

/*
 * Reads one batch into the buffer at `buffer` (cap bytes), waiting up to timeout_ms for the first
 * packets when none are ready. With `append` non-zero the packets are added after the batch already
 * in the buffer (its header says where it ends), else the batch starts empty. Returns 0 when the batch is in the buffer (possibly empty), -2 when
 * pcap_breakloop() interrupted the read (Ctrl-C), -1 on a libpcap error (pcap_geterr() tells which);
 * the packets read before a -2 or -1 are in the buffer all the same.
 *
 * The batch never overflows: each pcap_dispatch() is asked for no more packets than can fit at
 * full snaplen, and is called again while packets keep coming and room is left. (Breaking out of
 * pcap_dispatch() with pcap_breakloop() when the buffer fills would not do: libpcap then leaves
 * the break flag set when packets were read, and the next call returns -2 with nothing.)
 */
int cs_dispatch(intptr_t handle, intptr_t buffer, int cap, int timeout_ms, int append) {
  struct cs_batch b;
  int32_t header[4];
  int32_t start;
  int rc = 0;
  int polled = 0;
  int snap;
  b.p = (pcap_t *) handle;
  b.buf = (unsigned char *) buffer;
  b.cap = cap;
  b.used = CS_BATCH_HEADER;
  b.count = 0;
  b.skipped = 0;
  if (append) {
    memcpy(header, b.buf, sizeof header);
    if (header[0] >= 0 && header[1] >= CS_BATCH_HEADER && header[1] <= cap) {
      b.count = header[0];
      b.used = header[1];
      b.skipped = header[2];
    }
  }
  start = b.count;
  snap = pcap_snapshot(b.p);
  b.room = (CS_RECORD_HEADER + (snap > 0 ? snap : 262144) + 7) & ~7;
#ifdef PCAP_TSTAMP_PRECISION_NANO
  b.nanos = pcap_get_tstamp_precision(b.p) == PCAP_TSTAMP_PRECISION_NANO;
#else
  b.nanos = 0;
#endif
  for (;;) {
    int fit = (b.cap - b.used) / b.room;
    if (fit <= 0) {
      break;
    }
    rc = pcap_dispatch(b.p, fit, cs_packet, (u_char *) &b);
    if (rc < 0) {
      break;
    }
    if (rc == 0) {
      struct pollfd pfd;
      if (b.count > start || polled || timeout_ms <= 0) {
        break;
      }
      polled = 1;
      pfd.fd = pcap_get_selectable_fd(b.p);
      pfd.events = POLLIN;
      pfd.revents = 0;
      if (pfd.fd < 0 || poll(&pfd, 1, timeout_ms) <= 0) {
        break;
      }
    }
  }
  header[0] = b.count;
  header[1] = b.used;
  header[2] = b.skipped;
  header[3] = 0;
  memcpy(b.buf, header, sizeof header);
  return rc >= 0 ? 0 : rc == PCAP_ERROR_BREAK ? -2 : -1;
}
