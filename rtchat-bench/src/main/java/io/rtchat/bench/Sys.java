package io.rtchat.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Process figures: RSS and descriptor limit from /proc, heap from the JVM. */
final class Sys {

  private Sys() {}

  /** Resident set size in bytes (VmRSS of /proc/self/status), or -1 when unreadable. */
  static long rssBytes() {
    return procStatus("VmRSS:");
  }

  private static long procStatus(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          String[] parts = line.substring(key.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Used heap after asking for full collections until it settles. */
  static long heapAfterGc() {
    long used = usedHeap();
    for (int i = 0; i < 4; i++) {
      System.gc();
      try {
        Thread.sleep(40);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      long now = usedHeap();
      if (Math.abs(now - used) < 64 * 1024 && i > 0) {
        return now;
      }
      used = now;
    }
    return used;
  }

  /** Bytes of heap the JVM has committed (resident or not). */
  static long committedHeap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
  }

  static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  /** Used bytes of the old-generation heap pools (survives young collections), or -1. */
  static long oldGenUsed() {
    long total = -1;
    List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
    for (MemoryPoolMXBean pool : pools) {
      String name = pool.getName().toLowerCase();
      if (pool.getType() == MemoryType.HEAP && (name.contains("old") || name.contains("tenured"))) {
        total = Math.max(0, total) + pool.getUsage().getUsed();
      }
    }
    return total;
  }

  /** The soft limit of open files of this process (/proc/self/limits), or -1 when unknown. */
  static long openFilesLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
          return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Descriptors open now (/proc/self/fd), or -1. */
  static long openFiles() {
    try (var list = Files.list(Path.of("/proc/self/fd"))) {
      return list.count();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
