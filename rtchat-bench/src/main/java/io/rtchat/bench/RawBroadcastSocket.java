package io.rtchat.bench;

import java.util.Set;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One connection of {@link RawBroadcastServer}. Public only because Jetty binds listener methods
 * through method handles; not an API.
 */
public final class RawBroadcastSocket implements Session.Listener.AutoDemanding {

  private final Set<Session> sessions;
  private Session session;

  RawBroadcastSocket(Set<Session> sessions) {
    this.sessions = sessions;
  }

  @Override
  public void onWebSocketOpen(Session session) {
    this.session = session;
    sessions.add(session);
  }

  @Override
  public void onWebSocketText(String text) {
    if (text.contains("\"message\"")) {
      for (Session s : sessions) {
        s.sendText(text, Callback.NOOP);
      }
    } else if (text.contains("\"login\"")) {
      session.sendText("{\"action\":\"me\"}", Callback.NOOP);
    }
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    sessions.remove(session);
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    sessions.remove(session);
  }
}
