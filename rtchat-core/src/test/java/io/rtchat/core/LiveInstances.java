package io.rtchat.core;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;

/** Counts the live instances of a class, as {@code jcmd PID GC.class_histogram} does (after a full GC). */
final class LiveInstances {

  private LiveInstances() {}

  static long of(Class<?> type) throws JMException {
    String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    // Rows look like "  12:   300   12000  io.rtchat.core.rtc.RtcConnection (module info)".
    for (String row : histogram.split("\n")) {
      String[] columns = row.trim().split("\\s+");
      if (columns.length >= 4 && columns[0].endsWith(":") && columns[3].equals(type.getName())) {
        return Long.parseLong(columns[1]);
      }
    }
    return 0;
  }
}
