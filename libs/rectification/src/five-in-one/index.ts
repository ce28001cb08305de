export * from './assessments.repository';
export * from './assessments.service';
export * from './commitments.repository';
export * from './commitments.service';
export * from './loop-support';
export * from './reviews.repository';
export * from './reviews.service';
export * from './five-in-one.module';
