// Linux headers that Swift's Glibc module does not export: AF_PACKET link-layer addresses,
// classic BPF socket filters and interface flags. LinuxIO only; Core never sees these.
#ifndef KAKAPO_CSHIM_H
#define KAKAPO_CSHIM_H
#include <netpacket/packet.h>
#include <net/ethernet.h>
#include <linux/filter.h>
#include <net/if.h>
#include <ifaddrs.h>
#include <sys/signalfd.h>
#include <signal.h>
#include <sys/un.h>

static inline unsigned int kakapo_iff_up(void) { return IFF_UP; }
static inline unsigned int kakapo_iff_loopback(void) { return IFF_LOOPBACK; }
#endif
