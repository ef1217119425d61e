package io.rtchat.server.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The one frame schema of the BareRTC protocol (spec §1), both directions. Absent fields are null
 * and are not written, as Go omits empty fields.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Message {
  public String action;
  public String channel;
  public String username;
  public String message;
  public String jwt;
  public List<WhoEntry> whoList;
  public Integer video;
  public String status;
  public Boolean dnd;
  @JsonProperty("msgID") public Long msgID;
  public String openSecret;
  public byte[] bytes;
  public List<String> usernames;
  public String timestamp;
  public String reason;
  public String comment;
  public List<Message> messages;
  public String candidate;
  public String description;

  public Message() {}

  static Message of(String action) {
    Message m = new Message();
    m.action = action;
    return m;
  }

  static Message of(String action, String username) {
    Message m = of(action);
    m.username = username;
    return m;
  }

  Message copy() {
    Message m = new Message();
    m.action = action;
    m.channel = channel;
    m.username = username;
    m.message = message;
    m.msgID = msgID;
    m.timestamp = timestamp;
    return m;
  }
}
