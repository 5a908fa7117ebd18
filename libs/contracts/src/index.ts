export { TOPICS, ALL_TOPICS, type TopicName } from './topics';
export { MESSAGES, isMessageType, type MessageType, type PayloadOf, type TopicOf, type MessagesOn } from './messages';
export { createEnvelope, decodeEnvelope, type Envelope, type EnvelopeOptions, type DecodeResult, type EnvelopeRef } from './envelope';
