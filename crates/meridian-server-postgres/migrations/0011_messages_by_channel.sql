-- A history page reads a channel's messages just before a point in its order: this index finds
-- them without reading the rest of the channel's log.
-- Never edit this file once shipped: add a new migration instead.
CREATE INDEX messages_by_channel ON messages (channel_id, order_seq);
