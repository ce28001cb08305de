export * from './app-config';
export * from './installation';
