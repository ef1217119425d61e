package io.rtchat.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtchat.core.rtc.RtcEngine;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code BenchMain [--quick] [--json] [--scale F]}: runs the suite and prints a table of ours vs
 * raw baseline, or with {@code --json} one JSON object per measure on stdout (progress and logs go
 * to stderr). Exits explicitly: webrtc-java's native thread would otherwise keep the JVM alive.
 */
public final class BenchMain {

  private BenchMain() {}

  public static void main(String[] args) {
    if (System.getProperty("RTCHAT_LOG_LEVEL") == null && System.getenv("RTCHAT_LOG_LEVEL") == null) {
      System.setProperty("RTCHAT_LOG_LEVEL", "WARN");
    }
    if (System.getProperty("logback.configurationFile") == null) {
      // Before any logger exists: in a fat jar without logback.xml, logback would log DEBUG to stdout.
      System.setProperty("logback.configurationFile", ChildServer.LOGBACK_RESOURCE);
    }
    boolean quick = false;
    boolean json = false;
    boolean markdown = false;
    double scale = 1;
    String only = null;
    List<String> words = new ArrayList<>();
    for (String arg : args) {
      for (String word : arg.trim().split("\\s+")) {
        if (!word.isEmpty()) {
          words.add(word);
        }
      }
    }
    for (int i = 0; i < words.size(); i++) {
      switch (words.get(i)) {
        case "--quick", "quick" -> quick = true;
        case "--full", "full" -> quick = false;
        case "--json" -> json = true;
        case "--markdown" -> markdown = true;
        case "--scale" -> scale = Double.parseDouble(words.get(++i));
        case "--only" -> only = words.get(++i);
        case "--help", "-h" -> {
          System.out.println("usage: BenchMain [--quick] [--json|--markdown] [--scale F] [--only STEP,..]");
          System.exit(0);
        }
        default -> {
          System.err.println("unknown argument: " + words.get(i)
              + " (usage: BenchMain [--quick] [--json|--markdown] [--scale F] [--only STEP,..])");
          System.exit(2);
        }
      }
    }
    int code = 0;
    try {
      List<Pending> pending = new ArrayList<>();
      BenchOptions options = new BenchOptions(quick, scale, only, line -> System.err.println("# " + line),
          p -> {
            synchronized (pending) {
              pending.add(p);
            }
          });
      List<Measure> measures = BenchSuite.run(options);
      if (json) {
        printJson(System.out, measures, pending);
      } else if (markdown) {
        printMarkdown(System.out, measures, pending);
      } else {
        printTable(System.out, measures, pending);
      }
      System.out.flush();
    } catch (Throwable t) {
      System.err.println("bench failed: " + t);
      code = 1;
    } finally {
      RtcEngine.get().shutdown();
    }
    System.out.flush();
    System.err.flush();
    // halt, not exit: at a normal exit webrtc-java's native thread prints "VM attach current
    // thread failed" on stdout, which would break --json output. Nothing is left to clean up.
    Runtime.getRuntime().halt(code);
  }

  /** One JSON object per measure on {@code out}; pending measures go to stderr. */
  public static void printJson(PrintStream out, List<Measure> measures, List<Pending> pending)
      throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    for (Measure m : measures) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("measure", m.measure());
      row.put("ours", round(m.ours()));
      row.put("baseline", round(m.baseline()));
      row.put("unit", m.unit());
      row.put("ratio", Stats.round(m.ratio(), 3));
      if (!m.extra().isEmpty()) {
        row.put("extra", new LinkedHashMap<>(m.extra()));
      }
      out.println(mapper.writeValueAsString(row));
    }
    for (Pending p : pending) {
      System.err.println("pending: " + p.measure() + " - " + p.reason());
    }
  }

  /** A fixed-width table of every measure, then the pending ones. */
  public static void printTable(PrintStream out, List<Measure> measures, List<Pending> pending) {
    out.printf(Locale.ROOT, "%-26s %14s %14s %-12s %8s%n", "measure", "ours", "baseline", "unit",
        "ratio");
    for (Measure m : measures) {
      out.printf(Locale.ROOT, "%-26s %14s %14s %-12s %8.3f%n", m.measure(), format(m.ours()),
          format(m.baseline()), m.unit(), m.ratio());
    }
    for (Pending p : pending) {
      out.printf(Locale.ROOT, "%-26s pending: %s%n", p.measure(), p.reason());
    }
  }

  /** A Markdown table (for BENCHMARKS.md) with every extra figure in the last column. */
  public static void printMarkdown(PrintStream out, List<Measure> measures, List<Pending> pending) {
    out.println("| measure | ours | baseline | unit | ratio | details |");
    out.println("|---|---:|---:|---|---:|---|");
    for (Measure m : measures) {
      StringBuilder details = new StringBuilder();
      m.extra().forEach((key, value) -> {
        if (!(value instanceof String text) || text.length() <= 40) {
          details.append(details.length() == 0 ? "" : ", ").append(key).append(' ').append(value);
        }
      });
      out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.3f | %s |%n", m.measure(), format(m.ours()),
          format(m.baseline()), m.unit(), m.ratio(), details);
    }
    for (Pending p : pending) {
      out.printf(Locale.ROOT, "| %s | pending | | | | %s |%n", p.measure(),
          p.reason().replace('|', '/'));
    }
  }

  static String format(double value) {
    double abs = Math.abs(value);
    if (abs >= 1000) {
      return String.format(Locale.ROOT, "%.0f", value);
    }
    if (abs >= 10) {
      return String.format(Locale.ROOT, "%.1f", value);
    }
    return String.format(Locale.ROOT, "%.3f", value);
  }

  private static double round(double value) {
    double abs = Math.abs(value);
    return abs >= 100 ? Stats.round(value, 1) : Stats.round(value, 3);
  }
}
