// placeholder until the client lands
export class RoomkeyClient {}
