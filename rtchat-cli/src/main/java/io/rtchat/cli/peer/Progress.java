package io.rtchat.cli.peer;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars of file transfers, drawn on stderr (stdout belongs to events). One bar per
 * transfer, keyed by direction, peer and file name. Disabled, every call does nothing.
 */
final class Progress {

  private final PrintStream err;
  private final boolean enabled;
  private final Map<String, ProgressBar> bars = new ConcurrentHashMap<>();

  Progress(PrintStream err, boolean enabled) {
    this.err = err;
    this.enabled = enabled;
  }

  /** Moves the bar of {@code key} to {@code done} of {@code total}, creating it on first use. */
  void update(String key, String task, long done, long total) {
    if (!enabled) {
      return;
    }
    ProgressBar bar = bars.computeIfAbsent(key, k -> new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(total < 0 ? -1 : total)
        .setStyle(ProgressBarStyle.ASCII)
        .setUnit("KiB", 1024)
        .setUpdateIntervalMillis(250)
        .showSpeed()
        .setConsumer(new StderrConsumer(err))
        .build());
    bar.stepTo(done);
  }

  void finish(String key) {
    ProgressBar bar = bars.remove(key);
    if (bar != null) {
      bar.close();
    }
  }

  /** Finishes every bar whose key starts with {@code prefix}. */
  void finishAll(String prefix) {
    for (String key : bars.keySet()) {
      if (key.startsWith(prefix)) {
        finish(key);
      }
    }
  }

  /** Draws on stderr with a carriage return; no terminal probing, so it works on pipes too. */
  private static final class StderrConsumer implements ProgressBarConsumer {
    private final PrintStream err;

    StderrConsumer(PrintStream err) {
      this.err = err;
    }

    @Override
    public int getMaxRenderedLength() {
      return 100;
    }

    @Override
    public void accept(String rendered) {
      err.print('\r');
      err.print(rendered);
      err.flush();
    }

    @Override
    public void close() {
      err.println();
      err.flush();
    }
  }
}
