import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'matih:public';

/** The route answers without authentication (health, API documents). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
