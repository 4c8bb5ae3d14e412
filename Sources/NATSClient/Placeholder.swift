public enum _PlaceholderNATSClient {}
