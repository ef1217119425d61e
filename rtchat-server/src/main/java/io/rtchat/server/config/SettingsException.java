package io.rtchat.server.config;

/** A settings file that cannot be used; the message names the file, the line (when known) and the key. */
public final class SettingsException extends Exception {
  private static final long serialVersionUID = 1L;

  public SettingsException(String message) {
    super(message);
  }

  public SettingsException(String message, Throwable cause) {
    super(message, cause);
  }
}
