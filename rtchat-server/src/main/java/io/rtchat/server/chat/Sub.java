package io.rtchat.server.chat;

import io.rtchat.server.auth.ChatClaims;
import java.util.HashSet;
import java.util.Set;

/** One connection (WebSocket or polling session) and its chat state. Guarded by the ChatRoom lock. */
public final class Sub {
  static final int ACTIVE = 1;
  static final int NSFW = 2;
  static final int MUTUAL_OPEN = 32;
  static final int ONLY_VIP = 64;
  static final int INVITED = 128;
  static final int MUTUAL_REQUIRED = 16;

  final long id;
  final Outbound out;
  final String ip;
  final long connectedNanos;
  String name = "";
  boolean authenticated;
  boolean closed;
  ChatClaims claims;
  int video;
  String status = "online";
  boolean dnd;
  long loginAt;
  boolean unblockable;
  boolean wasEverAuthenticated;
  /** The instance this user is connected to when it is a user of another instance (backplane), else null. */
  String instance;
  final Set<String> muted = new HashSet<>();
  final Set<String> blocked = new HashSet<>();
  final Set<String> booted = new HashSet<>();
  final Set<String> invited = new HashSet<>();
  /** Token bucket for the inbound rate limit. */
  double tokens;
  long lastRefillNanos;
  long lastRateNoticeNanos;
  long lastReportNanos;

  Sub(long id, Outbound out, String ip, long nowNanos, double burst) {
    this.id = id;
    this.out = out;
    this.ip = ip;
    this.connectedNanos = nowNanos;
    this.tokens = burst;
    this.lastRefillNanos = nowNanos;
  }

  boolean isOp() {
    return claims != null && claims.op();
  }

  boolean isVip() {
    return claims != null && claims.vip();
  }

  /** A user of another instance, mirrored from its presence; sends to it go through the backplane. */
  boolean remote() {
    return instance != null;
  }

  boolean hidden() {
    return "hidden".equals(status);
  }

  public String name() {
    return name;
  }

  public boolean authenticated() {
    return authenticated;
  }

  @Override
  public String toString() {
    return "sub#" + id + (name.isEmpty() ? "" : "(" + name + ")");
  }
}
