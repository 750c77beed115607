import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'tiergate:public';

/** Marks a controller or route as open (health, metrics, docs): no API key needed. */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC, true);
