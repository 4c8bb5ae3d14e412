// libsystemd's service notification API (sd_notify, sd_watchdog_enabled) for Swift.
#ifndef STARLING_CSYSTEMD_SHIM_H
#define STARLING_CSYSTEMD_SHIM_H
#include <systemd/sd-daemon.h>
#endif
