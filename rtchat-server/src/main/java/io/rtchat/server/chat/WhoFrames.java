package io.rtchat.server.chat;

import io.rtchat.server.auth.ChatClaims;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * The {@code who} frames of one moment (spec §4.3), one per viewer. A who list is O(n) per viewer,
 * so a change seen by everybody costs O(n^2): this keeps that to string copies. Viewers nobody
 * singled out (no block, mute, boot or invite names them, they block nobody, their camera is not
 * VIP-only) see a list that depends only on their VIP and op flags, built once per flag pair and
 * shared. Rows are serialized once per distinct content and remembered for the next moment, so
 * only the rows of users who changed are serialized again.
 */
final class WhoFrames {
  private static final String EMPTY = "{\"action\":\"who\"}";

  private final List<Sub> listed;
  private final boolean vipSecret;
  private final BiPredicate<Sub, Sub> blocked;
  private final Map<WhoEntry, String> previousRows;
  private final Map<WhoEntry, String> rows = new HashMap<>();
  private final Set<String> mentioned = new HashSet<>();
  private final String[] shared = new String[4];

  /**
   * @param listed the users to list, sorted by name
   * @param blocked whether two users are hidden from each other
   * @param previousRows serialized rows of the previous moment ({@link #rows()}), reused where unchanged
   */
  WhoFrames(List<Sub> listed, boolean vipSecret, BiPredicate<Sub, Sub> blocked, Map<WhoEntry, String> previousRows) {
    this.listed = listed;
    this.vipSecret = vipSecret;
    this.blocked = blocked;
    this.previousRows = previousRows;
    for (Sub u : listed) {
      mentioned.addAll(u.booted);
      mentioned.addAll(u.muted);
      mentioned.addAll(u.invited);
      mentioned.addAll(u.blocked);
    }
  }

  /** The who frame for {@code viewer}. */
  String frameFor(Sub viewer) {
    boolean special = mentioned.contains(viewer.name) || !viewer.blocked.isEmpty() || (viewer.video & Sub.ONLY_VIP) != 0;
    if (special) {
      return build(viewer);
    }
    int key = (viewer.isVip() ? 1 : 0) | (viewer.isOp() ? 2 : 0);
    if (shared[key] == null) {
      shared[key] = build(viewer);
    }
    return shared[key];
  }

  /** The rows serialized so far: what the next moment may reuse. */
  Map<WhoEntry, String> rows() {
    return rows;
  }

  private String build(Sub v) {
    StringBuilder sb = null;
    for (Sub u : listed) {
      if (u.hidden() || blocked.test(u, v)) {
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(64 + listed.size() * 96).append("{\"action\":\"who\",\"whoList\":[");
      } else {
        sb.append(',');
      }
      sb.append(serialized(row(u, v)));
    }
    return sb == null ? EMPTY : sb.append("]}").toString();
  }

  private String serialized(WhoEntry row) {
    String json = rows.get(row);
    if (json == null) {
      json = previousRows.get(row);
      if (json == null) {
        json = ChatRoom.toJson(row);
      }
      rows.put(row, json);
    }
    return json;
  }

  /** {@code u} as {@code v} sees it: cameras v was booted from or may not open show as off. */
  private WhoEntry row(Sub u, Sub v) {
    int video = u.video;
    if (u != v) {
      if (u.booted.contains(v.name) || u.muted.contains(v.name)) {
        video = v.isOp() ? video & ~Sub.MUTUAL_OPEN : 0;
      } else if (u.invited.contains(v.name)) {
        video |= Sub.INVITED;
      }
      if ((u.video & Sub.ONLY_VIP) != 0 && !v.isVip() && !v.isOp() && !u.invited.contains(v.name)) {
        video = 0;
      }
    }
    ChatClaims c = u.claims;
    return new WhoEntry(u.name, c == null ? null : blankToNull(c.nick()), u.status, video, u.dnd, u.loginAt,
        u.isOp(), u.isVip() && (!vipSecret || v.isVip()), c == null ? null : blankToNull(c.img()),
        c == null ? null : blankToNull(c.url()), c == null ? null : blankToNull(c.emoji()),
        c == null ? null : blankToNull(c.gender()));
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
