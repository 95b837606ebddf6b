/**
 * CPU time of the calling thread, from /proc (Linux; undefined elsewhere). Node 22 has no
 * `process.threadCpuUsage`, and `process.cpuUsage` adds up every thread, the sender's included.
 */
import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export function threadCpuMs(): number | undefined {
  try {
    // The fields after the command name in parentheses, from the state (field 3): utime is 14, stime 15.
    const fields = readFileSync("/proc/thread-self/stat", "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
