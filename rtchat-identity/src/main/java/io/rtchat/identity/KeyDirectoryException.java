package io.rtchat.identity;

/**
 * A key directory request that cannot be served, with the HTTP status it maps to. Subclasses say
 * whose fault it is.
 */
public abstract sealed class KeyDirectoryException extends RuntimeException
    permits KeyDirectoryException.BadRequest, KeyDirectoryException.Forbidden,
        KeyDirectoryException.NotFound, KeyDirectoryException.Unavailable {

  private final int status;

  KeyDirectoryException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** The HTTP status for this error. */
  public int status() {
    return status;
  }

  /** Malformed request: missing fields, bad key, bad base64, invalid name (400). */
  public static final class BadRequest extends KeyDirectoryException {
    public BadRequest(String message) {
      super(400, message);
    }
  }

  /** Well-formed but not allowed: bad signature, unknown or used challenge, name taken (403). */
  public static final class Forbidden extends KeyDirectoryException {
    public Forbidden(String message) {
      super(403, message);
    }
  }

  /** No such name or resource (404). */
  public static final class NotFound extends KeyDirectoryException {
    public NotFound(String message) {
      super(404, message);
    }
  }

  /** The directory is at one of its limits; try again later (429). */
  public static final class Unavailable extends KeyDirectoryException {
    public Unavailable(String message) {
      super(429, message);
    }
  }
}
