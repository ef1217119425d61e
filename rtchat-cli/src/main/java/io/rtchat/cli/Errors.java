package io.rtchat.cli;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns exceptions into the one-line causes the CLI prints. */
public final class Errors {

  private Errors() {}

  /** The innermost useful message, on one line. */
  public static String oneLine(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException
        || t instanceof java.lang.reflect.InvocationTargetException) && t.getCause() != null) {
      t = t.getCause();
    }
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      Throwable cause = t.getCause();
      message = cause != null && cause.getMessage() != null ? cause.getMessage() : t.toString();
    }
    if (t instanceof java.nio.file.NoSuchFileException) {
      message = "no such file: " + message;
    } else if (t instanceof java.nio.file.AccessDeniedException) {
      message = "permission denied: " + message;
    }
    return message.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}
