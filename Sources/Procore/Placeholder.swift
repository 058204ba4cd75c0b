// Procore
