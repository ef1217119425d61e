package io.rtchat.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import picocli.CommandLine;

/**
 * Entry point of {@code rtchat} (the fat jar's main class). Exit codes: 0 success, 2 usage error,
 * 1 runtime error with a one-line cause on stderr.
 *
 * <p>The process ends through {@link #exit}: it flushes stdout, then closes it (the JDK points fd 1
 * at /dev/null then), then exits. webrtc-java's native threads print {@code VM attach current
 * thread failed} to fd 1 while the JVM exits; closing fd 1 first keeps that out of {@code --json}.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    configureLogging(args);
    int code = run(args, Console.system());
    exit(code);
  }

  /** Parses and runs one command line; returns the exit code. */
  static int run(String[] args, Console console) {
    Injector injector = Guice.createInjector(Stage.PRODUCTION, new CliModule(console));
    return newCommandLine(injector, console).execute(args);
  }

  static CommandLine newCommandLine(Injector injector, Console console) {
    CommandLine commandLine = new CommandLine(RtchatCommand.class, new GuiceFactory(injector));
    commandLine.setOut(console.humanOut());
    commandLine.setErr(console.errWriter());
    commandLine.setExecutionExceptionHandler((error, cl, parseResult) -> {
      console.err().println("rtchat " + cl.getCommandName() + ": " + Errors.oneLine(error));
      console.err().flush();
      return CommandLine.ExitCode.SOFTWARE;
    });
    return commandLine;
  }

  /**
   * Ends the process: stdout flushed and closed, then {@code System.exit}; if shutdown hooks hang
   * (a stuck native thread), a watchdog halts the JVM after 5 s.
   */
  static void exit(int code) {
    System.out.flush();
    System.err.flush();
    System.out.close(); // fd 1 now points at /dev/null: native exit noise goes nowhere
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(5_000);
      } catch (InterruptedException e) {
        return;
      }
      Runtime.getRuntime().halt(code);
    }, "rtchat-exit-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    System.exit(code);
  }

  /**
   * Logs go to stderr (see rtchat-logback.xml). The level is WARN for the peer and the other
   * client commands, INFO for the server; {@code RTCHAT_LOG_LEVEL} overrides both.
   */
  private static void configureLogging(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "rtchat-logback.xml");
    }
    String level = System.getenv("RTCHAT_LOG_LEVEL");
    if (level == null || level.isBlank()) {
      level = args.length > 0 && args[0].equals("server") ? "INFO" : "WARN";
    }
    System.setProperty("rtchat.log.level", level);
  }
}
