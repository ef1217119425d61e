package io.rtchat.core.signal.mem;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Rooms of one in-process hub. */
final class MemHub {

  // Static on purpose: mem:// URIs are resolved through ServiceLoader, so peers built
  // independently can only meet through a process-wide registry. Hubs hold no threads.
  private static final Map<String, MemHub> HUBS = new ConcurrentHashMap<>();

  private final Map<String, List<MemTransport>> rooms = new ConcurrentHashMap<>();

  static MemHub named(String name) {
    return HUBS.computeIfAbsent(name, n -> new MemHub());
  }

  void join(String room, MemTransport member) {
    rooms.computeIfAbsent(room, r -> new CopyOnWriteArrayList<>()).add(member);
  }

  void leave(String room, MemTransport member) {
    rooms.computeIfPresent(room, (r, members) -> {
      members.remove(member);
      return members.isEmpty() ? null : members;
    });
  }

  /** Delivers to every member of the room but the sender, or to the members of that name. */
  void deliver(String room, MemTransport sender, String target, byte[] payload) {
    for (MemTransport member : rooms.getOrDefault(room, List.of())) {
      if (member != sender && (target == null || target.equals(member.peerName()))) {
        member.receive(payload);
      }
    }
  }
}
