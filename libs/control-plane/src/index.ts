export { ControlPlane, type ControlPlaneOptions, type MessageContext, type SubscribeOptions } from './control-plane';
