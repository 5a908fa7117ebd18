export { ControlPlane, type ControlPlaneOptions, type MessageContext } from './control-plane';
