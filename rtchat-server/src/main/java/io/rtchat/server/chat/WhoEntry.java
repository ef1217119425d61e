package io.rtchat.server.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** One row of a per-viewer {@code who} list (spec §4.3). */
@JsonPropertyOrder({"username", "nickname", "status", "video", "dnd", "loginAt", "op", "vip", "avatar", "profileURL", "emoji", "gender"})
public record WhoEntry(
    String username,
    @JsonInclude(JsonInclude.Include.NON_NULL) String nickname,
    String status,
    int video,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean dnd,
    long loginAt,
    boolean op,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean vip,
    @JsonInclude(JsonInclude.Include.NON_NULL) String avatar,
    @JsonInclude(JsonInclude.Include.NON_NULL) String profileURL,
    @JsonInclude(JsonInclude.Include.NON_NULL) String emoji,
    @JsonInclude(JsonInclude.Include.NON_NULL) String gender) {}
