package io.rtchat.identity;

import java.util.Locale;

/** What {@link KnownPeers} does with a name it has no key for. A changed key is always refused. */
public enum TrustPolicy {
  /** Only keys listed in the file (or confirmed by a key directory) are trusted. */
  STRICT("strict"),
  /** Trust on first use: the first key seen for a name is stored and trusted from then on. */
  ACCEPT_NEW("accept-new"),
  /** A callback decides; a yes stores the key like {@link #ACCEPT_NEW}. */
  ASK("ask");

  private final String id;

  TrustPolicy(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /**
   * The policy of that id ({@code strict}, {@code accept-new}, {@code ask}).
   *
   * @throws IllegalArgumentException listing the valid ids
   */
  public static TrustPolicy fromId(String id) {
    for (TrustPolicy policy : values()) {
      if (policy.id.equals(id == null ? null : id.toLowerCase(Locale.ROOT))) {
        return policy;
      }
    }
    throw new IllegalArgumentException(
        "unknown trust policy '" + id + "'; use strict, accept-new or ask");
  }
}
