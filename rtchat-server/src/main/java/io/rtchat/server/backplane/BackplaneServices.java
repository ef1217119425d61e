package io.rtchat.server.backplane;

/** Where server extensions attach their own {@link BackplaneService}s to the shared backplane. */
public interface BackplaneServices {

  /** This instance's id, as other instances see it. */
  String instanceId();

  /**
   * Attaches {@code service} under {@code name} ({@code [a-z]+}, unique, not {@code chat}). The
   * states other instances already published reach it at once.
   */
  BackplaneChannel register(String name, BackplaneService service);
}
