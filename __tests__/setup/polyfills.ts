import '../../local/polyfills';
process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
